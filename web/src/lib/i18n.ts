import { admission } from './i18n/messages/admission';
import { apiReference } from './i18n/messages/apiReference';
import { archive } from './i18n/messages/archive';
import { archiveWhole } from './i18n/messages/archiveWhole';
import { breakouts } from './i18n/messages/breakouts';
import { chatOutbox } from './i18n/messages/chatOutbox';
import { classroom } from './i18n/messages/classroom';
import { core } from './i18n/messages/core';
import { docs } from './i18n/messages/docs';
import { groups } from './i18n/messages/groups';
import { identity } from './i18n/messages/identity';
import { offline } from './i18n/messages/offline';
import { polls } from './i18n/messages/polls';
import { presentation } from './i18n/messages/presentation';
import { recording } from './i18n/messages/recording';
import { spaceContent } from './i18n/messages/spaceContent';
import { spacePages } from './i18n/messages/spacePages';

/** Languages of the interface, French first. */
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

// Each feature keeps its strings in its own catalogue (i18n/messages/*.ts),
// French as the reference, English with the same keys.
const fr = {
  ...core.fr,
  ...identity.fr,
  ...classroom.fr,
  ...docs.fr,
  ...archive.fr,
  ...archiveWhole.fr,
  ...groups.fr,
  ...spaceContent.fr,
  ...spacePages.fr,
  ...apiReference.fr,
  ...polls.fr,
  ...breakouts.fr,
  ...recording.fr,
  ...presentation.fr,
  ...chatOutbox.fr,
  ...offline.fr,
  ...admission.fr,
};
export type MessageKey = keyof typeof fr;
export type Messages = Record<MessageKey, string>;

const catalogues: Record<Locale, Messages> = {
  fr,
  en: {
    ...core.en,
    ...identity.en,
    ...classroom.en,
    ...docs.en,
    ...archive.en,
    ...archiveWhole.en,
    ...groups.en,
    ...spaceContent.en,
    ...spacePages.en,
    ...apiReference.en,
    ...polls.en,
    ...breakouts.en,
    ...recording.en,
    ...presentation.en,
    ...chatOutbox.en,
    ...offline.en,
    ...admission.en,
  },
};

/** Both catalogues, for the parity test. */
export const CATALOGUES = catalogues;

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
