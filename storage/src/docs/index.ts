export * from './documents';
export * from './files';
export * from './history';
export * from './sampleDoc';
export * from './updates';
