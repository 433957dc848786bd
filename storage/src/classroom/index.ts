export * from './attendance';
export * from './chat';
export * from './endSession';
export * from './hands';
export * from './liveSessions';
export * from './roster';
