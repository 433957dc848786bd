export * from './presentation';
