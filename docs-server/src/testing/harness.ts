import { createServer, type Server } from 'node:http';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { type CapabilityClaims, DOCS_WS_PATH, type DocKind, type Right } from '@preau/protocol';
import {
  createCapabilityVerifier,
  generateSigningKey,
  mintCapability,
  type SigningKey,
  silentLogger,
} from '@preau/protocol/server';
import { createDoc, type Database, openDatabase } from '@preau/storage';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { createDocsServer, type DocsServer, type DocsServerDeps } from '../createDocsServer';

/** Issuer used by test tokens. */
export const TEST_ISSUER = 'preau-test';

/** Mints docs tokens with a test key. */
export function tokenMinter(key: SigningKey) {
  return (claims: Partial<CapabilityClaims> & { sub: string; space: string; doc?: string }) =>
    mintCapability(
      key,
      { issuer: TEST_ISSUER, audience: 'preau:docs', ttlSeconds: 300 },
      {
        name: claims.name ?? `Personne ${claims.sub}`,
        profiles: [],
        rights: ['read', 'write'] as Right[],
        ...claims,
      },
    );
}

/** A docs server on a free loopback port, with its database and a token minter. */
export interface DocsHarness {
  wsUrl: string;
  database: Database;
  docs: DocsServer;
  key: SigningKey;
  mint: ReturnType<typeof tokenMinter>;
  newDoc(space: string, kind?: DocKind): Promise<string>;
  close(): Promise<void>;
}

/** Starts a docs server in this process on an in-memory PGlite (or the given database). */
export async function startDocsHarness(
  opts: { database?: Database } & Partial<
    Pick<
      DocsServerDeps,
      'limits' | 'compactEvery' | 'fanout' | 'crossNode' | 'broadcastWindow' | 'extensions'
    >
  > = {},
): Promise<DocsHarness> {
  const database = opts.database ?? (await openDatabase({ memory: true }, silentLogger()));
  const key = await generateSigningKey('test');
  const verify = createCapabilityVerifier({
    issuer: TEST_ISSUER,
    audience: 'preau:docs',
    jwks: { keys: [key.publicJwk] },
  });
  const docs = createDocsServer({
    db: database.db,
    log: silentLogger(),
    verify,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.compactEvery ? { compactEvery: opts.compactEvery } : {}),
    ...(opts.fanout ? { fanout: opts.fanout } : {}),
    ...(opts.crossNode ? { crossNode: opts.crossNode } : {}),
    ...(opts.broadcastWindow ? { broadcastWindow: opts.broadcastWindow } : {}),
    ...(opts.extensions ? { extensions: opts.extensions } : {}),
  });
  await docs.ready;
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => docs.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    wsUrl: `ws://127.0.0.1:${port}${DOCS_WS_PATH}`,
    database,
    docs,
    key,
    mint: tokenMinter(key),
    newDoc: async (space, kind = 'pad') =>
      (await createDoc(database.db, { space, kind, title: 'Essai', actor: 'creator' })).id,
    close: async () => {
      await docs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.database) await database.close();
    },
  };
}

/** A Node Yjs client of one document (Node 24's global WebSocket). */
export function connect(wsUrl: string, docId: string, token: string, doc = new Y.Doc()) {
  return new HocuspocusProvider({
    url: `${wsUrl}/${docId}?token=${encodeURIComponent(token)}`,
    name: docId,
    token,
    document: doc,
  });
}

/** Resolves once the provider has synced and has nothing unacknowledged. */
export function saved(provider: HocuspocusProvider): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (provider.isSynced && provider.unsyncedChanges === 0) {
        provider.off('synced', check);
        provider.off('unsyncedChanges', check);
        resolve();
      }
    };
    provider.on('synced', check);
    provider.on('unsyncedChanges', check);
    check();
  });
}

/** People editing one document, each with their own token, once every one has synced. */
export async function editors<const People extends readonly string[]>(
  h: Pick<DocsHarness, 'wsUrl' | 'mint'>,
  space: string,
  docId: string,
  people: People,
): Promise<{ -readonly [K in keyof People]: HocuspocusProvider }> {
  const providers = await Promise.all(
    people.map(async (sub) => connect(h.wsUrl, docId, await h.mint({ sub, space, doc: docId }))),
  );
  await Promise.all(providers.map(saved));
  return providers as { -readonly [K in keyof People]: HocuspocusProvider };
}

/** The HTTP status an upgrade gets (101 when accepted). */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}
