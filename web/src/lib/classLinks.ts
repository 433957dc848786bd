import type { MessageKey } from './i18n';

/** A link on a class page to one of the class's spaces (live class, documents…). */
export interface ClassLink {
  /** Relative to `/classes/[classId]/`, e.g. `live` or `docs`. */
  path: string;
  /** Its label, from the feature's catalogue. */
  label: MessageKey;
  /** Shown only to the class's teachers. */
  teachersOnly?: boolean;
}

/**
 * The links a class page shows, in order. Each feature appends its own line
 * here (e.g. `{ path: 'live', label: 'live.link' }`), so the class page never
 * needs to know them.
 */
export const CLASS_LINKS: ClassLink[] = [
  { path: 'docs', label: 'docs.link' },
  { path: 'live', label: 'live.link' },
];
