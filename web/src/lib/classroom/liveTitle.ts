import type { SpaceKind } from '@preau/protocol';
import { type Locale, translator } from '#lib/i18n';

/**
 * The title of a live session started without one, in the starter's
 * language: a class's live lesson, or the salon of a group or project.
 */
export function liveTitle(locale: Locale) {
  const t = translator(locale);
  return (space: { kind: SpaceKind; name: string }) =>
    space.kind === 'class'
      ? t('live.defaultTitle', { name: space.name })
      : t('spacePage.salon.defaultTitle', { name: space.name });
}
