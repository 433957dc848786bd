// Wire schemas of live sessions: socket.io event maps, SFU RPC messages.
// Filled by the classroom work; kept in its own file so features do not collide.
export {};
