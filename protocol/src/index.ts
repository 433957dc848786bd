export * from './errors';
export * from './ids';
export * from './tokens';
export * from './trace';
export * from './version';
