export * from './access';
export * from './BroadcastWindow';
export * from './createDocsServer';
export * from './DocPersistence';
export * from './warmUp';
