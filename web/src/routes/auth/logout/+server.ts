import { clearSessionCookies, SESSION_COOKIE } from '#lib/server/session';
import type { RequestHandler } from './$types';

/**
 * Signs out: ends the Préau session, then asks the provider to end its own
 * (RP-initiated logout). The answer also tells the browser to clear the
 * site's storage: local copies of documents and cached pages do not outlive
 * the session on a shared school computer, even when the page's own
 * clearing could not run.
 */
export const POST: RequestHandler = async ({ url, locals, cookies }) => {
  const secret = cookies.get(SESSION_COOKIE);
  clearSessionCookies(cookies, url);
  const next = secret ? await locals.services.identity.logout(secret) : '/';
  return new Response(null, {
    status: 303,
    headers: { location: next, 'clear-site-data': '"storage"' },
  });
};
