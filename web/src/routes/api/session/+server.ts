import { SessionUser } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** The signed-in user (401 when signed out). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<SessionUser> => requireUser(locals),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'La personne connectée : identifiant pseudonyme, nom, profils, rôles de plateforme',
      en: 'The signed-in person: pseudonymous id, name, profiles, platform roles',
    },
    tag: 'identity',
    access: 'signedIn',
    response: SessionUser,
  },
});
