// `./preau cluster`: a local cluster in the foreground (two nodes of each kind,
// PostgreSQL, Redis, the S3 endpoint, HAProxy in front) until Ctrl-C or SIGTERM.
import { startCluster } from '../tests/support/cluster';

function count(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} needs a number of nodes`);
    process.exit(2);
  }
  return n;
}

const say = (line: string) => process.stderr.write(`preau cluster: ${line}\n`);
const options = {
  web: count('web'),
  classroom: count('classroom'),
  docs: count('docs'),
  sfu: count('sfu'),
  keepDir: process.argv.includes('--keep'),
  onStep: (step: string) => say(`starting ${step}`),
};
const started = startCluster(options);
let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  say(`${why}: stopping every process`);
  try {
    await (await started).stop();
  } finally {
    process.exit(0);
  }
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  const cluster = await started;
  process.stdout.write(
    [
      '',
      `  Préau (grappe locale) : ${cluster.url}`,
      ...cluster.nodes.map((n) => `    ${n.name.padEnd(11)} ${n.url}`),
      `    postgresql  ${cluster.databaseUrl}`,
      `    redis       ${cluster.redisUrl}`,
      `    s3          ${cluster.s3Endpoint}`,
      `  configuration et journaux : ${cluster.dir}${options.keepDir ? '' : ' (effacés à l’arrêt ; --keep pour les garder)'}`,
      `  vider un nœud : echo 'set server web/web1 state drain' | socat stdio ${cluster.dir}/haproxy.sock`,
      '  Ctrl-C arrête tout.',
      '',
    ].join('\n'),
  );
} catch (err) {
  // startCluster has stopped whatever it had started.
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
