import { createLogger } from '@preau/protocol/server';
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
