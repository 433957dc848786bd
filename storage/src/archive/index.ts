export * from './Archiver';
export * from './audit';
export * from './canonical';
export * from './keys';
export * from './layout';
export * from './records';
export * from './verifySegment';
export * from './verifyStored';
