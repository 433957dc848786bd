// Wire schemas of the SFU's internal RPC (classroom-server ↔ sfu).
// Filled by the SFU work; kept in its own file so features do not collide.
export {};
