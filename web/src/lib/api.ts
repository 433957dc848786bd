import type { Result } from '@preau/protocol';

/** The CSRF token that the server put in the `preau_csrf` cookie at sign-in. */
export function csrfToken(): string {
  const match = /(?:^|;\s*)preau_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : '';
}

/**
 * Calls a Préau JSON API from the browser: sends the CSRF header that every
 * state-changing request needs, and returns the `{ ok, data | error }` body.
 */
export async function callApi<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Result<T>> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      'x-preau-csrf': csrfToken(),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  try {
    return (await response.json()) as Result<T>;
  } catch {
    return { ok: false, error: { code: response.status >= 500 ? 'unavailable' : 'internal' } };
  }
}
