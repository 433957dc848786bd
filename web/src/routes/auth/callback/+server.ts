import { error, redirect } from '@sveltejs/kit';
import { setSessionCookies } from '#lib/server/session';
import type { RequestHandler } from './$types';

/** Where the identity provider sends the browser back with an authorization code. */
export const GET: RequestHandler = async ({ url, locals, cookies }) => {
  let outcome: Awaited<ReturnType<typeof locals.services.identity.finishLogin>>;
  try {
    outcome = await locals.services.identity.finishLogin(url);
  } catch (err) {
    locals.services.log.error({ err }, 'identity provider unreachable');
    error(503, { code: 'unavailable', message: 'Le fournisseur d’identité ne répond pas.' });
  }
  if (outcome.kind === 'signed-in') {
    setSessionCookies(cookies, url, outcome);
    redirect(303, outcome.returnTo);
  }
  if (outcome.kind === 'unknown') {
    // Kept a few minutes for the explanation page only.
    cookies.set(
      'preau_unknown',
      JSON.stringify({ login: outcome.login, logout: outcome.providerLogout }),
      {
        path: '/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: url.protocol === 'https:',
        maxAge: 600,
      },
    );
    redirect(303, '/auth/inconnu');
  }
  redirect(303, `/auth/erreur?raison=${outcome.reason}`);
};
