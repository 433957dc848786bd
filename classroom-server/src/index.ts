export {
  Admission,
  type AdmissionLimits,
  type AdmissionStats,
  DEFAULT_ADMISSION,
  readAdmissionLimits,
} from './admission';
export { readSessionTimeouts } from './config';
export {
  CLIENT_EVENTS,
  type ClassroomServer,
  type ClassroomServerDeps,
  createClassroomServer,
  DEFAULT_RATE_RULES,
} from './createClassroomServer';
export type { SocketData } from './handshake';
export { LiveSession } from './session/LiveSession';
export { SessionRegistry } from './session/SessionRegistry';
export { DEFAULT_TIMEOUTS, type SessionTimeouts } from './session/types';
