export * from './demo';
export * from './guests';
export * from './invitations';
export * from './ownData';
export * from './people';
export * from './settings';
export * from './spaces';
