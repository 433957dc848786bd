import { RecordingState, RecordingView } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/[spaceId]/recordings`: the recording in progress, if any, and the saved ones. */
export const GET: RequestHandler = api(async ({ params, locals }) =>
  locals.services.recordings.overview(requireUser(locals), params.spaceId),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les enregistrements des sessions en direct de l’espace : celui en cours (null sinon) et ceux sauvegardés, du plus récent au plus ancien',
      en: 'Recordings of the space’s live sessions: the one in progress (null if none) and the saved ones, newest first',
    },
    tag: 'live',
    access: 'spaceReaders',
    response: z.object({
      recordingNow: RecordingState.nullable(),
      recordings: z.array(RecordingView),
    }),
    errors: ['forbidden', 'not_found'],
  },
});
