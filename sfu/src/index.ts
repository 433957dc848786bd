import { createLogger, type Logger } from '@preau/protocol/server';
import { SfuCluster, type SfuClusterOptions } from './cluster/SfuCluster';
import { defaultSfuOptions, type SfuOptions } from './config';
import { Sfu } from './Sfu';

export { defaultSfuOptions, readSfuConfig, type SfuConfig, type SfuOptions } from './config';
export { MEDIA_CODECS } from './Room';
export { probeDurationMs } from './recording/ffmpeg';
export {
  type RecorderOptions,
  type RecordingFile,
  RoomRecorder,
} from './recording/RoomRecorder';
export { Sfu } from './Sfu';
export type { SfuApi } from './SfuApi';

/**
 * Starts an in-process SFU: one mediasoup worker per core (or `workers`), a
 * WebRtcServer per worker. The worker binary is mediasoup's own, or the one
 * `MEDIASOUP_WORKER_BIN` names.
 */
export async function createSfu(config: Partial<SfuOptions> & { log?: Logger } = {}): Promise<Sfu> {
  const { log = createLogger('sfu'), ...options } = config;
  return Sfu.start({ ...defaultSfuOptions(), ...options }, log.child({ module: 'sfu' }));
}
export { readSfuClusterConfig, type SfuClusterConfig } from './cluster/config';
export { SfuCluster, type SfuClusterOptions } from './cluster/SfuCluster';
export { signAuth } from './rpc/auth';
export { createSfuClient, type SfuClientHooks } from './rpc/client';
export { SFU_RPC_PATH, type SfuRpcServer, startSfuRpcServer } from './rpc/server';

/**
 * Drives several SFU processes as one SfuApi: rooms placed by load, spread
 * over nodes with pipe transports, rebuilt elsewhere when a node dies.
 */
export async function createSfuCluster(
  config: { urls: readonly string[]; secret: string } & Partial<
    Pick<SfuClusterOptions, 'roomPeersPerNode' | 'staleMs'>
  > & { log?: Logger },
): Promise<SfuCluster> {
  const { log = createLogger('sfu-cluster'), ...rest } = config;
  return SfuCluster.start({
    roomPeersPerNode: 200,
    staleMs: 3000,
    ...rest,
    log: log.child({ module: 'sfu-cluster' }),
  });
}
