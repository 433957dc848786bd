// The few bytes of Hocuspocus' framing the docs server reads itself: every
// message starts with the document name (a varString) and a varUint type.

/** Hocuspocus' message type of a sync acknowledgement (server → client). */
export const SYNC_STATUS_TYPE = 8;

/** A lib0 varUint at `offset`: its value and the offset after it, or null when cut short. */
export function readVarUint(
  bytes: Uint8Array,
  offset: number,
): [value: number, next: number] | null {
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

/** The message type after the document name and the offset after it, or null when the frame is not one. */
export function readMessageType(bytes: Uint8Array): [type: number, next: number] | null {
  const len = readVarUint(bytes, 0);
  if (!len) return null;
  return readVarUint(bytes, len[1] + len[0]);
}

/** The message type after the document name, or null when the frame is not one. */
export function messageType(bytes: Uint8Array): number | null {
  return readMessageType(bytes)?.[0] ?? null;
}

/** Hocuspocus' message type of authentication messages (both ways). */
export const AUTH_TYPE = 2;
/** Inside an authentication message: the server refuses the client. */
const AUTH_PERMISSION_DENIED = 1;

function writeVarString(out: number[], text: string) {
  const bytes = new TextEncoder().encode(text);
  out.push(...varUint(bytes.length), ...bytes);
}

/** The document name a frame starts with, or null when the frame is not one. */
export function documentName(bytes: Uint8Array): string | null {
  const len = readVarUint(bytes, 0);
  if (!len || len[1] + len[0] > bytes.length) return null;
  return new TextDecoder().decode(bytes.subarray(len[1], len[1] + len[0]));
}

/**
 * Hocuspocus' "permission denied" answer for one document: a stock provider
 * reports `authenticationFailed` with the reason and, the socket staying
 * open, does not reconnect.
 */
export function permissionDenied(docName: string, reason: string): Uint8Array {
  const out: number[] = [];
  writeVarString(out, docName);
  out.push(...varUint(AUTH_TYPE), ...varUint(AUTH_PERMISSION_DENIED));
  writeVarString(out, reason);
  return Uint8Array.from(out);
}

/** A lib0 varUint's bytes. */
export function varUint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push(0x80 | (v & 0x7f));
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
