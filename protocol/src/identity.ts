// Wire schemas of identity: directory API bodies, session and token requests.
// Filled by the identity work; kept in its own file so features do not collide.
export {};
