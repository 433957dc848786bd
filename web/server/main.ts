import { runService } from '@preau/protocol/server';
import { demoAccounts } from '@preau/storage';
import { type RunningPreau, startPreau } from './app';
import { readServerConfig } from './config';

/** Prints where Préau listens and, with demo data, whom one can sign in as. */
async function greet(preau: RunningPreau) {
  const { engines } = preau.services;
  process.stdout.write(
    [
      '',
      `  Préau est prêt : ${preau.url}`,
      `  base de données : ${engines.database} · objets : ${engines.objects} · diffusion : ${engines.fanout}`,
      '',
    ].join('\n'),
  );
  const accounts = await demoAccounts(preau.services.database.db);
  if (accounts.length === 0) return;
  const students = accounts.filter((a) => a.group === 'student');
  const lines = accounts
    .filter((a) => a.group !== 'student')
    .concat(students.filter((s, i) => students.findIndex((o) => o.className === s.className) === i))
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

// Entry point of `npm start`: all of Préau on one port, with demo data.
runService({
  name: 'preau',
  readConfig: () => readServerConfig(),
  start: async (config, log) => {
    const preau = await startPreau(config, log);
    log.info({ url: preau.url, engines: preau.services.engines }, 'Préau started');
    await greet(preau);
    return preau;
  },
});
