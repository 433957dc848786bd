/** Version of the wire protocol; clients send it at the handshake and a mismatch is refused by name. */
export const PROTOCOL_VERSION = 1 as const;
