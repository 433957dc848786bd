import { randomBytes } from 'node:crypto';

/** A new opaque id with a readable prefix (`case_…`, `hold_…`, `exp_…`). */
export function newArchiveId(prefix: 'case' | 'hold' | 'exp' | 'era'): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
