import { error, redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Starts a sign-in: off to the identity provider (authorization code with PKCE). */
export const GET: RequestHandler = async ({ url, locals }) => {
  let target: string;
  try {
    target = await locals.services.identity.beginLogin(url.searchParams.get('retour') ?? '/');
  } catch (err) {
    locals.services.log.error({ err }, 'identity provider unreachable');
    error(503, { code: 'unavailable', message: 'Le fournisseur d’identité ne répond pas.' });
  }
  // The provider is another origin by design (its URL comes from configuration).
  redirect(303, target, { external: true });
};
