import { CreateDocInput, DocSummary, PreauError, SpaceId } from '@preau/protocol';
import { z } from 'zod';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/docs?space=…`: the pads and boards of a space (those who may read it). */
export const GET: RequestHandler = api(async ({ url, locals }): Promise<DocSummary[]> => {
  const user = requireUser(locals);
  const space = SpaceId.safeParse(url.searchParams.get('space'));
  if (!space.success) throw new PreauError('bad_request', 'space is required');
  return locals.services.documents.list(user, space.data);
});

/** `POST /api/docs`: creates a pad or a board in a space (needs `write` there). */
export const POST: RequestHandler = api(async ({ request, locals }) => {
  const user = requireUser(locals);
  const input = await readJson(request, CreateDocInput);
  return ok(await locals.services.documents.create(user, input), 201);
});

export const _api = describeRoute({
  GET: {
    summary: { fr: 'Les documents et tableaux d’un espace', en: 'The pads and boards of a space' },
    tag: 'documents',
    access: 'spaceReaders',
    query: z.object({ space: SpaceId }),
    response: z.array(DocSummary),
    errors: ['forbidden', 'not_found'],
  },
  POST: {
    summary: {
      fr: 'Crée un document ou un tableau dans un espace (réponse 201)',
      en: 'Creates a pad or a board in a space (answers 201)',
    },
    tag: 'documents',
    access: 'spaceWriters',
    body: CreateDocInput,
    response: DocSummary,
    status: 201,
    errors: ['not_found', 'conflict'],
  },
});
