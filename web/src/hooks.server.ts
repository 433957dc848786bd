import { PreauError } from '@preau/protocol';
import type { Handle } from '@sveltejs/kit/hooks';
import { pickLocale } from '#lib/i18n';
import { fail } from '#lib/server/api';
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

  if (UNSAFE.has(event.request.method)) {
    const refused = bodyRefused(event.request, event.url.pathname, event.locals.user !== null);
    if (refused) return refused;
    const origin = event.request.headers.get('origin');
    if (origin !== null && origin !== event.url.origin)
      return refuse('cross-origin request refused');
    const isForm = FORM_TYPES.includes(mediaType(event.request));
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
 * Refuses a body before a byte of it is read: from no one signed in, one
 * that declares more than ANONYMOUS_BODY_LIMIT or no length at all (a
 * chunked body, which browsers never send for a form); from anyone, a form
 * declaring more than FORM_BODY_LIMIT (the directory import's apart).
 */
function bodyRefused(request: Request, path: string, signedIn: boolean): Response | null {
  const length = request.headers.get('content-length');
  const declared = Number(length);
  if (!signedIn) {
    if (length === null && request.body !== null)
      return Response.json(
        {
          ok: false,
          error: { code: 'bad_request', message: 'sign in first, or declare the body’s length' },
        },
        { status: 411, headers: { 'cache-control': 'no-store' } },
      );
    if (declared > ANONYMOUS_BODY_LIMIT)
      return fail(
        new PreauError(
          'too_large',
          `a request from no one signed in is limited to ${ANONYMOUS_BODY_LIMIT} bytes`,
        ),
      );
  }
  const type = mediaType(request);
  const isForm = type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
  if (isForm && !LARGE_FORMS.has(path) && declared > FORM_BODY_LIMIT)
    return fail(new PreauError('too_large', `a form is limited to ${FORM_BODY_LIMIT} bytes`));
  return null;
}

/** A request's media type, without its parameters (`multipart/form-data`). */
function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function refuse(message: string) {
  return Response.json({ ok: false, error: { code: 'forbidden', message } }, { status: 403 });
}
