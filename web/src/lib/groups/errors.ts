import type { ErrorBody } from '@preau/protocol';
import type { translator } from '#lib/i18n';

type T = ReturnType<typeof translator>;

/** Bounds and fields whose refusal has a sentence of its own. */
const NAMED = [
  'maxGroupMembers',
  'maxGroupsPerStudent',
  'studentsCreateGroups',
  'personIds',
  'until',
] as const;

/**
 * A refusal of the spaces service as a sentence in the reader's language:
 * the bound it names (`issues[0].path`, with the school's figure as its
 * message) when there is one, else its error code.
 */
export function groupErrorText(error: Pick<ErrorBody, 'code' | 'issues'>, t: T): string {
  const issue = error.issues?.[0];
  const named = NAMED.find((n) => n === issue?.path);
  if (named) return t(`groups.error.${named}`, { n: issue?.message ?? '' });
  switch (error.code) {
    case 'forbidden':
    case 'not_found':
    case 'conflict':
    case 'bad_request':
      return t(`groups.error.${error.code}`);
    default:
      return t('groups.error.generic');
  }
}
