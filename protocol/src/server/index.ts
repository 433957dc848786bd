export * from './background';
export * from './config';
export * from './groupCommit';
export * from './health';
export * from './logger';
export * from './process';
export * from './rate';
export * from './tokens';
