// The few bytes of Hocuspocus' framing the docs server reads itself: every
// message starts with the document name (a varString) and a varUint type.

/** Hocuspocus' message type of a sync acknowledgement (server → client). */
export const SYNC_STATUS_TYPE = 8;

function readVarUint(bytes: Uint8Array, offset: number): [value: number, next: number] | null {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && shift < 35; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i + 1];
    shift += 7;
  }
  return null;
}

/** The message type after the document name, or null when the frame is not one. */
export function messageType(bytes: Uint8Array): number | null {
  const len = readVarUint(bytes, 0);
  if (!len) return null;
  const type = readVarUint(bytes, len[1] + len[0]);
  return type ? type[0] : null;
}
