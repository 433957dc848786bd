export * from './background';
export * from './config';
export * from './logger';
export * from './tokens';
