import { CreateGuestRequest, GuestCreated } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** A project teacher creates a guest; the personal link is in the answer, once. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const input = await readJson(request, CreateGuestRequest);
  return locals.services.guests.create(user, params.spaceId, input);
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Crée un invité extérieur d’un projet jusqu’à une date (un an au plus) ; le lien de connexion personnel n’est donné qu’une fois',
      en: 'Creates an outside guest of a project until a date (a year at most); the personal sign-in link is returned once',
    },
    tag: 'membership',
    access: {
      fr: 'Enseignants du projet (404 pour qui ne le voit pas).',
      en: 'Teachers of the project (404 for those who may not see it).',
    },
    body: CreateGuestRequest,
    response: GuestCreated,
    errors: ['not_found', 'conflict'],
  },
});
