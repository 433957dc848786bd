export * from './polls';
