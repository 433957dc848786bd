import type { Locale } from '#lib/i18n';

/**
 * Times for people, always in the school's time zone: a school in France
 * reads Paris time whatever the browser or the server is set to.
 */
export const SCHOOL_TIME_ZONE = 'Europe/Paris';

const tag = (locale: Locale) => (locale === 'fr' ? 'fr-FR' : 'en-GB');
const asDate = (value: string | number | Date) => (value instanceof Date ? value : new Date(value));

/** A date and a time to the second (`05/12/2026 09:14:03`). */
export function dateTime(value: string | number | Date, locale: Locale): string {
  return asDate(value).toLocaleString(tag(locale), {
    timeZone: SCHOOL_TIME_ZONE,
    dateStyle: 'short',
    timeStyle: 'medium',
  });
}

/** A date and a time to the minute (`05/12/2026 09:14`). */
export function dateTimeShort(value: string | number | Date, locale: Locale): string {
  return asDate(value).toLocaleString(tag(locale), {
    timeZone: SCHOOL_TIME_ZONE,
    dateStyle: 'short',
    timeStyle: 'short',
  });
}

/** A time of day to the minute (`09:14`). */
export function timeOfDay(value: string | number | Date, locale: Locale): string {
  return asDate(value).toLocaleTimeString(tag(locale), {
    timeZone: SCHOOL_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A calendar day, spelled out (`5 décembre 2026`). */
export function longDate(value: string | number | Date, locale: Locale): string {
  return asDate(value).toLocaleDateString(tag(locale), {
    timeZone: SCHOOL_TIME_ZONE,
    dateStyle: 'long',
  });
}

/** A duration in hours and minutes (`1 h 05`, `12 min`). */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')}` : `${m} min`;
}
