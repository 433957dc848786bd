import { PreauError, TokenRequest, TokenResponse } from '@preau/protocol';
import { decodeJwt } from 'jose';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * Mints a capability token for one space: the rights come from the directory
 * (`SpaceAccess`, the one place that decides access); someone with none there gets 403.
 */
export const POST: RequestHandler = api(async ({ request, locals }): Promise<TokenResponse> => {
  const user = requireUser(locals);
  const body = await readJson(request, TokenRequest);
  const rights = await locals.services.access.rights(user, body.space);
  if (rights.length === 0) throw new PreauError('forbidden', 'not a member of this space');
  const token = await locals.services.tokens.mint(body.audience, {
    sub: user.id,
    name: user.name,
    profiles: user.profiles,
    space: body.space,
    rights,
    ...(body.session ? { session: body.session } : {}),
    ...(body.doc ? { doc: body.doc } : {}),
  });
  const exp = decodeJwt(token).exp!;
  return { token, expiresAt: new Date(exp * 1000).toISOString(), rights };
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Un jeton de capacité de courte durée (JWT EdDSA) pour un espace ; droits tirés de l’annuaire',
      en: 'A short-lived capability token (EdDSA JWT) for one space; rights from the directory',
    },
    tag: 'identity',
    access: {
      fr: 'Qui a des droits dans l’espace (403 sinon).',
      en: 'Those with rights in the space (403 otherwise).',
    },
    body: TokenRequest,
    response: TokenResponse,
  },
});
