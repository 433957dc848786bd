import type { RequestHandler } from './$types';

/**
 * The public keys of capability tokens, current and previous (and the next
 * one, published before it signs), for realtime servers in other processes.
 */
export const GET: RequestHandler = ({ locals }) =>
  Response.json(locals.services.tokens.jwks(), {
    headers: { 'cache-control': 'public, max-age=60' },
  });
