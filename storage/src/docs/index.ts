export * from './catchUp';
export * from './documents';
export * from './fileRetention';
export * from './files';
export * from './history';
export * from './sampleDoc';
export * from './updates';
