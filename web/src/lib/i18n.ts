import { en } from './i18n/en';
import { fr } from './i18n/fr';

/** Languages of the interface, French first. */
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof fr;
export type Messages = Record<MessageKey, string>;

const catalogues: Record<Locale, Messages> = { fr, en };

/** Picks the locale: the `lang` cookie if set, else French (the default of a French ENT). */
export function pickLocale(cookie: string | undefined): Locale {
  return (LOCALES as readonly string[]).includes(cookie ?? '') ? (cookie as Locale) : 'fr';
}

/** A translation function for one locale, with `{name}` placeholders. */
export function translator(locale: Locale) {
  const messages = catalogues[locale];
  return (key: MessageKey, params: Record<string, string | number> = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
