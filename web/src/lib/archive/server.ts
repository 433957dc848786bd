import { type PlatformRole, PreauError, type SessionUser } from '@preau/protocol';
import { error, redirect } from '@sveltejs/kit';

// Server-only helpers of the archivist's, DPO's and people's-rights pages:
// guards that redirect or answer 403 the way a page does, and form parsing.
// The acts themselves are `locals.services.archive` / `privacy` methods.

export type { Picked } from '../../../server/app/archive';

/**
 * For pages: the signed-in user holding `role`; otherwise a redirection to
 * sign-in (signed out) or a 403 page (signed in without the role).
 */
export function guardPage(locals: App.Locals, url: URL, role: PlatformRole): SessionUser {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname + url.search)}`);
  if (!user.roles.includes(role)) error(403, { code: 'forbidden', message: 'forbidden' });
  return user;
}

/** For pages: the signed-in user, or a redirection to sign-in. */
export function guardSignedIn(locals: App.Locals, url: URL): SessionUser {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname + url.search)}`);
  return user;
}

/** A typed error's code, for a page to show; anything else is logged and shown as `internal`. */
export function codeOf(locals: App.Locals, err: unknown): string {
  if (err instanceof PreauError) return err.code;
  locals.services.log.error({ err }, 'archive page action failed');
  return 'internal';
}

/** The form's text fields as a plain object (empty fields left out). */
export function formFields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === 'string' && v.trim() !== '') out[k] = v;
  return out;
}

/** The UTC instant of a wall-clock time in Paris (`YYYY-MM-DDTHH:mm[:ss]`), or null. */
export function parisInstant(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Paris' offset at that moment (CET or CEST), from the time zone database.
  const paris = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
  const utc = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: 'UTC' }));
  const instant = new Date(asUtc - (paris.getTime() - utc.getTime()));
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** A period's bounds from two dates (Paris days): from the start of one to the end of the other. */
export function parisPeriod(from?: string, until?: string): { from?: string; until?: string } {
  const start = from ? parisInstant(from) : null;
  const end = until ? parisInstant(until) : null;
  if (end && /^\d{4}-\d{2}-\d{2}$/.test(until!.trim())) end.setTime(end.getTime() + 86_399_999);
  return {
    from: start?.toISOString() ?? from,
    until: end?.toISOString() ?? until,
  };
}
