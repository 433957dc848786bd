import { dateTime } from '#lib/time';

/** A date and time for people, in the page's language, in Paris time (see `#lib/time`). */
export function when(iso: string, locale: 'fr' | 'en'): string {
  return dateTime(iso, locale);
}

/** A calendar day (`YYYY-MM-DD`, no time zone to apply) for people, in the page's language. */
export function day(date: string, locale: 'fr' | 'en'): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    timeZone: 'UTC',
    dateStyle: 'long',
  });
}
