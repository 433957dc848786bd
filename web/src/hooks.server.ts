import type { Handle } from '@sveltejs/kit/hooks';
import { pickLocale } from '#lib/i18n';
import { CSRF_HEADER, clearSessionCookies, SESSION_COOKIE } from '#lib/server/session';
import { servicesOf } from '../server/requestServices';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Every request gets the locale, the server's services and the signed-in
 * user. Services come from the one-port server (web/server), which hands them
 * over on the Node request, so nothing here is a module-level singleton.
 *
 * CSRF: a state-changing request must come from Préau's own origin (checked
 * here for every request, and by SvelteKit for forms); a state-changing
 * request that is not a form (the JSON API) must also carry the session's
 * CSRF token in the `x-preau-csrf` header when a session cookie is present.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const locale = pickLocale(event.cookies.get('lang'));
  event.locals.locale = locale;
  event.locals.services = servicesOf(event.platform?.req);
  event.locals.user = null;
  event.locals.csrf = null;

  const secret = event.cookies.get(SESSION_COOKIE);
  if (secret) {
    const active = await event.locals.services.identity.session(secret);
    if (active) {
      event.locals.user = active.user;
      event.locals.csrf = active.csrf;
    } else clearSessionCookies(event.cookies, event.url);
  }

  if (UNSAFE.has(event.request.method)) {
    const origin = event.request.headers.get('origin');
    if (origin !== null && origin !== event.url.origin)
      return refuse('cross-origin request refused');
    const type = (event.request.headers.get('content-type') ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const isForm = FORM_TYPES.includes(type);
    if (
      !isForm &&
      event.locals.csrf &&
      event.request.headers.get(CSRF_HEADER) !== event.locals.csrf
    )
      return refuse('missing or wrong CSRF token');
  }

  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', locale),
  });
  // Signing out at the ENT's provider is a form whose redirect leaves Préau.
  const issuer = event.locals.services.config.OIDC_ISSUER;
  const csp = response.headers.get('content-security-policy');
  if (!issuer || !csp) return response;
  // A copy: some responses' headers are immutable.
  const widened = new Response(response.body, response);
  widened.headers.set(
    'content-security-policy',
    csp.replace("form-action 'self'", `form-action 'self' ${new URL(issuer).origin}`),
  );
  return widened;
};

function refuse(message: string) {
  return Response.json({ ok: false, error: { code: 'forbidden', message } }, { status: 403 });
}
