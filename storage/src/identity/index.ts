export * from './access';
export * from './csv';
export * from './demo';
export * from './directory';
export * from './keys';
export * from './records';
export * from './secrets';
export * from './sessions';
