import type { Cookies } from '@sveltejs/kit';

/** The session cookie: HttpOnly, SameSite=Lax, Secure over https. */
export const SESSION_COOKIE = 'preau_session';
/**
 * The CSRF token, readable by the page's scripts: API calls that change state
 * send it back in the `x-preau-csrf` header (a cross-site page cannot read it).
 */
export const CSRF_COOKIE = 'preau_csrf';
/** The header that carries the CSRF token on API calls. */
export const CSRF_HEADER = 'x-preau-csrf';

/** Sets the session and CSRF cookies after a sign-in. */
export function setSessionCookies(
  cookies: Cookies,
  url: URL,
  session: { secret: string; csrf: string; expiresAt: Date },
) {
  const common = {
    path: '/',
    sameSite: 'lax' as const,
    secure: url.protocol === 'https:',
    expires: session.expiresAt,
  };
  cookies.set(SESSION_COOKIE, session.secret, { ...common, httpOnly: true });
  cookies.set(CSRF_COOKIE, session.csrf, { ...common, httpOnly: false });
}

/** Removes both cookies (sign-out, or a session that no longer exists). */
export function clearSessionCookies(cookies: Cookies, url: URL) {
  const common = { path: '/', secure: url.protocol === 'https:' };
  cookies.delete(SESSION_COOKIE, common);
  cookies.delete(CSRF_COOKIE, common);
}
