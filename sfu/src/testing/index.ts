// Synthetic media for tests and benchmarks (never used by the SFU itself).

export * from './ffmpegSource';
export * from './plain';
export * from './process';
export * from './rtp';
