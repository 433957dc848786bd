import { SessionSummary, StartSessionRequest } from '@preau/protocol';
import { z } from 'zod';
import { liveTitle } from '#lib/classroom/liveTitle';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** The live sessions open in the signed-in person's spaces (for "join in one click"). */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.live.openOfMine(requireUser(locals)),
);

/**
 * Starts a live session (a class's lesson, a group's or project's salon) in
 * a space: 201 with the new one; 200 with the one already open, unless
 * `replace` names it (it ends first).
 */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const body = await readJson(request, StartSessionRequest);
  const { session, created } = await locals.services.live.start(
    user,
    body,
    liveTitle(locals.locale),
  );
  return ok(session, created ? 201 : 200);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les sessions en direct ouvertes dans les espaces de la personne (pour rejoindre en un clic)',
      en: 'The live sessions open in the person’s spaces (to join in one click)',
    },
    tag: 'live',
    access: 'signedIn',
    response: z.array(SessionSummary),
  },
  POST: {
    summary: {
      fr: 'Ouvre une session en direct (cours d’une classe, salon d’un groupe) : 201 si nouvelle, 200 avec celle déjà ouverte sauf si `replace` la nomme',
      en: 'Starts a live session (a class’s lesson, a group’s salon): 201 when new, 200 with the one already open unless `replace` names it',
    },
    tag: 'live',
    access: {
      fr: 'Qui peut animer l’espace (enseignants ; membres pour un salon).',
      en: 'Those who may present in the space (teachers; members for a salon).',
    },
    body: StartSessionRequest,
    response: SessionSummary,
    status: 201,
    errors: ['not_found', 'conflict'],
  },
});
