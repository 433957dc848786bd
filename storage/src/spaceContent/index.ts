export * from './chat';
export * from './docText';
export * from './files';
export * from './reports';
