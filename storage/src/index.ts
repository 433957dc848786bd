export * from './db/Database';
export * from './db/migrate';
export type * from './db/schema';
export * from './fanout/Fanout';
export * from './objects/localS3';
export * from './objects/MemoryObjectStore';
export * from './objects/ObjectStore';
export * from './objects/S3ObjectStore';
export * from './trace/recordTrace';
