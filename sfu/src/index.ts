import { createLogger, type Logger } from '@preau/protocol/server';
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
export { signAuth } from './rpc/auth';
export { createSfuClient } from './rpc/client';
export { SFU_RPC_PATH, type SfuRpcServer, startSfuRpcServer } from './rpc/server';
