import type { IncomingMessage, ServerResponse } from 'node:http';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/**
 * SvelteKit refuses a state-changing, form-typed request from another site
 * (or without an Origin) with a plain-text 403 before any hook runs. On the
 * JSON API that answer must be the typed error every client expects, so this
 * edge gives it first; pages keep SvelteKit's own check. Returns whether it
 * answered.
 */
export function refuseCrossSiteApiForm(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
): boolean {
  if (!UNSAFE.has(req.method ?? '') || !(req.url ?? '').startsWith('/api/')) return false;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.has(type) || req.headers.origin === origin) return false;
  res.writeHead(403, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(
    JSON.stringify({
      ok: false,
      error: { code: 'forbidden', message: 'cross-site form submission refused' },
    }),
  );
  return true;
}
