import type { AuditEntry, SpaceLabel } from '@preau/protocol';
import type { Locale, translator } from '#lib/i18n';
import { dateTime } from '#lib/time';
import { kindLabel, maybe } from './describe';

// An audit entry's details in words for the DPO: people and spaces by
// name, kinds of traces in words, times in Paris time; technical ids of
// holds and exports are left to the raw log (the API), not repeated here.

type T = ReturnType<typeof translator>;

/** Names and spaces the page resolved for the entries it shows. */
export interface Resolved {
  names: Record<string, string>;
  spaces: Record<string, SpaceLabel>;
}

/** Keys whose values are ids of holds and exports: not for reading. */
const SKIPPED = new Set(['hold', 'export']);
const DATES = new Set(['from', 'to', 'until', 'moments']);

/** The lines that say what an audit entry's details hold. */
export function auditDetails(e: AuditEntry, r: Resolved, t: T, locale: Locale): string[] {
  const d = e.details;
  const person = (id: string) => r.names[id] ?? id;
  const space = (id: string) => {
    const s = r.spaces[id];
    return s ? `${s.name} (${s.schools.map((x) => x.name).join(', ')})` : id;
  };
  const lines: string[] = [];
  if (typeof d.person === 'string')
    lines.push(t('archive.detail.person', { name: person(d.person) }));
  if (typeof d.space === 'string') lines.push(t('archive.detail.space', { name: space(d.space) }));
  if (typeof d.seq === 'number') lines.push(t('archive.detail.record', { seq: d.seq }));
  if (typeof d.kind === 'string' && e.action !== 'retention.set' && e.action !== 'retention.remove')
    lines.push(t('archive.detail.kind', { kind: kindLabel(d.kind, t) }));
  if (typeof d.from === 'string' || typeof d.to === 'string' || typeof d.until === 'string') {
    const end = (d.to ?? d.until) as string | null | undefined;
    lines.push(
      t('archive.detail.period', {
        from: typeof d.from === 'string' ? dateTime(d.from, locale) : '…',
        to: typeof end === 'string' ? dateTime(end, locale) : '…',
      }),
    );
  }
  if (typeof d.results === 'number') lines.push(t('archive.detail.results', { count: d.results }));
  if (Array.isArray(d.namesResolved)) {
    const names = d.namesResolved.filter((x): x is string => typeof x === 'string').map(person);
    lines.push(
      names.length > 0
        ? t('archive.detail.namesResolved', { names: names.join(', ') })
        : t('archive.detail.noName'),
    );
  }
  const done = new Set([
    'person',
    'space',
    'seq',
    'results',
    'namesResolved',
    'from',
    'to',
    'until',
  ]);
  if (e.action !== 'retention.set' && e.action !== 'retention.remove') done.add('kind');
  for (const [key, value] of Object.entries(d)) {
    if (done.has(key) || SKIPPED.has(key) || value === null || value === undefined) continue;
    const label = maybe(t, `archive.detail.key.${key}`, key);
    const shown =
      key === 'actor' || key === 'concerning'
        ? person(String(value))
        : shownValue(key, value, t, locale, space);
    lines.push(t('archive.detail.other', { key: label, value: shown }));
  }
  return lines;
}

function shownValue(
  key: string,
  value: unknown,
  t: T,
  locale: Locale,
  space: (id: string) => string,
): string {
  if (typeof value === 'boolean') return t(value ? 'archive.detail.yes' : 'archive.detail.no');
  if (Array.isArray(value)) {
    if (key === 'holdsLifted') return String(value.length);
    if (key === 'spaces') return value.map((v) => space(String(v))).join(', ');
    if (DATES.has(key)) return value.map((v) => dateTime(String(v), locale)).join(', ');
    if (value.every((v) => typeof v !== 'object'))
      return String(value.length > 3 ? value.length : value.join(', '));
    return String(value.length);
  }
  if (key === 'kind' && typeof value === 'string') return kindLabel(value, t);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
