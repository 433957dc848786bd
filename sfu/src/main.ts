// The SFU as its own process: mediasoup workers behind the authenticated RPC.
// Run with `tsx sfu/src/main.ts`; configuration comes from SFU_* variables.
import { background, createLogger, NodeHealth } from '@preau/protocol/server';
import { readSfuConfig } from './config';
import { createSfu } from './index';
import { startSfuRpcServer } from './rpc/server';

const log = createLogger('sfu');
const config = readSfuConfig();
if (!config.rpc.secret) {
  log.fatal('SFU_RPC_SECRET is required to run the SFU as its own process');
  process.exit(1);
}
const sfu = await createSfu({ ...config.options, log });
// The RPC port answers /healthz too; it says draining once the process is stopping.
const health = new NodeHealth('sfu');
const rpc = await startSfuRpcServer({
  sfu,
  health,
  secret: config.rpc.secret,
  host: config.rpc.host,
  port: config.rpc.port,
  log: log.child({ module: 'rpc' }),
  loadReport: () => sfu.nodeLoad(),
  loadIntervalMs: config.options.loadIntervalMs,
});
log.info({ url: rpc.url, port: rpc.port, workers: config.options.workers }, 'sfu rpc listening');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  health.drain();
  log.info({ signal }, 'sfu stopping');
  try {
    await rpc.close();
    await sfu.close();
  } finally {
    process.exit(process.exitCode ?? 0);
  }
}
process.on('SIGTERM', () => background(log, 'sfu stop', stop('SIGTERM')));
process.on('SIGINT', () => background(log, 'sfu stop', stop('SIGINT')));
