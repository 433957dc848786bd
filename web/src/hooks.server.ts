import type { Handle } from '@sveltejs/kit/hooks';
import { pickLocale } from '#lib/i18n';
import { CSRF_HEADER, clearSessionCookies, SESSION_COOKIE } from '#lib/server/session';
import { servicesOf } from '../server/requestServices';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
/**
 * The largest body a request from no one signed in may declare. Nothing
 * anonymous takes more than a few fields (signing out, a form that will
 * answer "sign in first"); without this, anyone could make the server read
 * up to its overall cap (12 MiB) before a form action checks who is asking.
 */
const ANONYMOUS_BODY_LIMIT = 64 * 1024;
/**
 * The largest form (a form action's body) anyone signed in may send, but
 * for the directory import, whose CSV rides in its form. Préau's forms are
 * a few fields; SvelteKit reads a form whole before its action checks
 * anything, up to its overall cap (12 MiB).
 */
const FORM_BODY_LIMIT = 256 * 1024;
const LARGE_FORMS = new Set(['/admin/import']);

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

  if (UNSAFE.has(event.request.method) && !event.locals.user) {
    const refused = anonymousBodyRefused(event.request);
    if (refused) return refused;
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
      (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') &&
      !LARGE_FORMS.has(event.url.pathname) &&
      Number(event.request.headers.get('content-length')) > FORM_BODY_LIMIT
    )
      return tooLarge(`a form is limited to ${FORM_BODY_LIMIT} bytes`);
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

/**
 * Refuses, before a byte of it is read, the body of an anonymous request
 * that declares more than ANONYMOUS_BODY_LIMIT, or declares no length at
 * all (a chunked body, which browsers never send for a form).
 */
function anonymousBodyRefused(request: Request): Response | null {
  const length = request.headers.get('content-length');
  if (length === null && request.body !== null)
    return Response.json(
      {
        ok: false,
        error: { code: 'bad_request', message: 'sign in first, or declare the body’s length' },
      },
      { status: 411, headers: { 'cache-control': 'no-store' } },
    );
  if (Number(length) > ANONYMOUS_BODY_LIMIT)
    return tooLarge(`a request from no one signed in is limited to ${ANONYMOUS_BODY_LIMIT} bytes`);
  return null;
}

/** `413 too_large`, answered before the body is read. */
function tooLarge(message: string) {
  return Response.json(
    { ok: false, error: { code: 'too_large', message } },
    { status: 413, headers: { 'cache-control': 'no-store' } },
  );
}

function refuse(message: string) {
  return Response.json({ ok: false, error: { code: 'forbidden', message } }, { status: 403 });
}
