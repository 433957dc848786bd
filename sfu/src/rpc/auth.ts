import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a client's clock may be from the server's, and how long a header may be replayed. */
export const AUTH_WINDOW_MS = 30_000;

/** The auth header value for `now`: `<unix ms>.<hex HMAC-SHA256(secret, unix ms)>`. The secret never travels. */
export function signAuth(secret: string, now: number = Date.now()): string {
  const stamp = String(Math.floor(now));
  return `${stamp}.${createHmac('sha256', secret).update(stamp).digest('hex')}`;
}

/** True when `header` was signed with `secret` within the window around `now`. */
export function verifyAuth(
  secret: string,
  header: string | string[] | undefined,
  now: number = Date.now(),
): boolean {
  if (typeof header !== 'string' || header.length > 200) return false;
  const match = /^(\d{1,15})\.([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const stamp = Number(match[1]);
  if (Math.abs(now - stamp) > AUTH_WINDOW_MS) return false;
  const expected = Buffer.from(signAuth(secret, stamp).split('.')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
