import { createLogger } from '@preau/protocol/server';
import { demoAccounts } from '@preau/storage';
import { startPreau } from './app';
import { readServerConfig } from './config';

/** Entry point of `npm start`: all of Préau on one port, with demo data. */
async function main() {
  let config: ReturnType<typeof readServerConfig>;
  try {
    config = readServerConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const log = createLogger('preau', config.LOG_LEVEL);
  const preau = await startPreau(config, log);
  const { engines } = preau.services;
  log.info({ url: preau.url, engines }, 'Préau started');
  process.stdout.write(
    [
      '',
      `  Préau est prêt : ${preau.url}`,
      `  base de données : ${engines.database} · objets : ${engines.objects} · diffusion : ${engines.fanout}`,
      '',
    ].join('\n'),
  );
  const accounts = await demoAccounts(preau.services.database.db);
  if (accounts.length > 0) {
    const students = accounts.filter((a) => a.group === 'student');
    const lines = accounts
      .filter((a) => a.group !== 'student')
      .concat(
        students.filter((s, i) => students.findIndex((o) => o.className === s.className) === i),
      )
      .map((a) => `    ${a.login.padEnd(22)} ${a.name} — ${a.description}`);
    process.stdout.write(
      [
        '  Comptes de démonstration (« Se connecter en tant que… ») :',
        ...lines,
        `    … et ${students.length} élèves en tout (liste complète sur la page de connexion)`,
        '',
        '',
      ].join('\n'),
    );
  }
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    preau.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
