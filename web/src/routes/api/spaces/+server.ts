import { CreateSpaceRequest, MySpace } from '@preau/protocol';
import { z } from 'zod';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces`: the signed-in person's spaces (classes, teaching groups, projects, work groups). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<MySpace[]> => locals.services.spaces.mine(requireUser(locals)),
);

/** `POST /api/spaces`: creates a work group, a project or a teaching group (201). */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const input = await readJson(request, CreateSpaceRequest);
  return ok(await locals.services.spaces.create(user, input), 201);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les espaces de la personne (classes, groupes d’enseignement, projets, groupes de travail), avec rôle, permissions et état',
      en: 'The person’s spaces (classes, teaching groups, projects, work groups), with role, permissions and state',
    },
    tag: 'spaces',
    access: 'signedIn',
    response: z.array(MySpace),
  },
  POST: {
    summary: {
      fr: 'Crée un groupe de travail (élèves et enseignants, dans les bornes de l’établissement), un projet ou un groupe d’enseignement (enseignants) ; réponse 201',
      en: 'Creates a work group (students and teachers, within their school’s bounds), a project or a teaching group (teachers); answers 201',
    },
    tag: 'spaces',
    access: {
      fr: 'Élèves et enseignants (403 sinon, ou quand l’établissement interdit les groupes d’élèves).',
      en: 'Students and teachers (403 otherwise, or when the school forbids students’ groups).',
    },
    body: CreateSpaceRequest,
    response: MySpace,
    status: 201,
  },
});
