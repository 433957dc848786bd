export * from './access';
export * from './createDocsServer';
export * from './DocPersistence';
export * from './warmUp';
