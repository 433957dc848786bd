import { redirect } from '@sveltejs/kit';
import { clearSessionCookies, SESSION_COOKIE } from '#lib/server/session';
import type { RequestHandler } from './$types';

/** Signs out: ends the Préau session, then asks the provider to end its own (RP-initiated logout). */
export const POST: RequestHandler = async ({ url, locals, cookies }) => {
  const secret = cookies.get(SESSION_COOKIE);
  clearSessionCookies(cookies, url);
  const next = secret ? await locals.services.identity.logout(secret) : '/';
  redirect(303, next, { external: true });
};
