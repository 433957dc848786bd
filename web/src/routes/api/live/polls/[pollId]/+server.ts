import { PollResults, PollView } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** A poll of a live session with its results (who answered what, for a named poll): for the space's moderators. */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireUser(locals);
  const { poll, results } = await locals.services.polls.report(user, params.pollId);
  return { poll, results };
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Un sondage d’une session en direct et ses résultats (décomptes, textes libres, et qui a répondu quoi pour un sondage nominatif ; jamais pour un anonyme)',
      en: 'A live-session poll and its results (counts, free texts, and who answered what for a named poll; never for an anonymous one)',
    },
    tag: 'live',
    access: 'spaceModerators',
    response: z.object({ poll: PollView, results: PollResults }),
    errors: ['forbidden', 'not_found'],
  },
});
