import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Schema } from '@preau/storage';
import { type Kysely, sql } from 'kysely';

const ROUTES_DIR = join(import.meta.dirname, '../../web/src/routes');

/** One HTTP route of Préau's API, as the route tree declares it. */
export interface ApiRoute {
  /** The route's path with its parameters, e.g. `/api/docs/[docId]/history`. */
  path: string;
  /** The methods its `+server.ts` exports. */
  methods: Array<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  /** Whether a handler reads the request body. */
  readsBody: boolean;
  /** The route file, relative to the repository. */
  file: string;
}

/** Every `+server.ts` under `web/src/routes/api`, read from the tree (a new route is in at once). */
export function apiRoutes(): ApiRoute[] {
  const out: ApiRoute[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === '+server.ts') {
        const text = readFileSync(full, 'utf8');
        const methods = [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
          (m) => m[1] as ApiRoute['methods'][number],
        );
        const path = `/${relative(ROUTES_DIR, dir).split('\\').join('/')}`;
        out.push({
          path,
          methods,
          readsBody: /readJson|request\.(json|formData|text|arrayBuffer)|request\.body/.test(text),
          file: relative(join(ROUTES_DIR, '../../..'), full),
        });
      }
    }
  };
  walk(join(ROUTES_DIR, 'api'));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Fills a route's `[params]` from `values` (unknown ones get `fallback`), URL-encoded. */
export function fillRoute(
  path: string,
  values: Record<string, string>,
  fallback = 'inconnu',
): string {
  return path.replace(/\[(\w+)\]/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? fallback),
  );
}

// Tables whose rows change by themselves (the archiver drains the outbox into
// segments) or with each sign-in; everything else must stay byte for byte.
const MOVING_TABLES = new Set([
  'trace_outbox',
  'archive_segment',
  'archive_record',
  'archive_space',
  'web_session',
  'login_attempt',
  'signing_key',
  'preau_migrations',
]);

/**
 * A digest of the database's content, table by table (an MD5 of the sorted
 * rows), plus the trace counters: equal digests mean nothing was written.
 */
export async function databaseDigest(db: Kysely<Schema>): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const digest: Record<string, string> = {};
  for (const { name } of tables.rows) {
    if (MOVING_TABLES.has(name)) continue;
    const row = await sql<{ d: string | null }>`
      SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${sql.table(name)} t`.execute(
      db,
    );
    digest[name] = row.rows[0]?.d ?? 'empty';
  }
  return digest;
}
