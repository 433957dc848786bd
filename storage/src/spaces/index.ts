export * from './invitations';
export * from './people';
export * from './settings';
export * from './spaces';
