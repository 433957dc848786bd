import type { RecordView } from '@preau/protocol';

/** A one-line summary of a record's content for tables (the full payload is on its page). */
export function summarise(r: RecordView): string {
  const p = r.payload;
  if (!p) return '';
  if (typeof p.text === 'string') return p.text;
  if (r.kind === 'doc.update') return `${r.bodyBytes ?? 0} octets`;
  if (typeof p.action === 'string') {
    const target = typeof p.targetName === 'string' ? p.targetName : p.target;
    return target ? `${p.action} → ${String(target)}` : p.action;
  }
  if (typeof p.title === 'string') return p.title;
  if (typeof p.reason === 'string') return p.reason;
  return JSON.stringify(p);
}

/** A date and time for people, in the page's language, in Paris time. */
export function when(iso: string, locale: 'fr' | 'en'): string {
  return new Date(iso).toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'medium',
  });
}

/** A calendar day (`YYYY-MM-DD`, no time zone to apply) for people, in the page's language. */
export function day(date: string, locale: 'fr' | 'en'): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    timeZone: 'UTC',
    dateStyle: 'long',
  });
}
