export * from './chat';
export * from './files';
export * from './reports';
