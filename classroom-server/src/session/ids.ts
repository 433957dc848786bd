import { randomBytes } from 'node:crypto';

/** A URL-safe random identifier with a prefix. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
