export * from './access';
export * from './createDocsServer';
export * from './DocPersistence';
