export * from './attendance';
export * from './chat';
export * from './liveSessions';
export * from './roster';
