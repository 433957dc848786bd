export * from './background';
export * from './config';
export * from './logger';
export * from './process';
export * from './tokens';
