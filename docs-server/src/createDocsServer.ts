import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Configuration, type Extension, Hocuspocus } from '@hocuspocus/server';
import {
  CLOSE_CODES,
  DOC_LIMITS,
  DOC_REWRITE_CHANNEL,
  DOCS_WS_PATH,
  DocRewriteNotice,
  PreauError,
  toErrorBody,
} from '@preau/protocol';
import { background, type CapabilityVerifier, type Logger } from '@preau/protocol/server';
import type { DocsExecutor, Fanout } from '@preau/storage/docs';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { authorise, type DocsContext, parseUpgradeUrl, UPGRADE_STATUS } from './access';
import { BroadcastWindow } from './BroadcastWindow';
import { DatabaseCatchUp } from './DatabaseCatchUp';
import { DocPersistence, type PersistenceStats } from './DocPersistence';
import { FirstSync, WatchedSocket } from './FirstSync';
import { ConnectionLimits } from './limits';
import { MergeThread } from './MergeThread';
import { NodeRelay } from './NodeRelay';
import { UnheardChanges } from './UnheardChanges';
import { AUTH_TYPE, documentName, messageType, permissionDenied } from './wire';

/** How many tokenless sockets are kept open to be told "permission denied" (beyond: HTTP 401). */
const MAX_REFUSED_SOCKETS = 200;
/** A refused socket is closed after an hour: a forgotten tab costs nothing for long. */
const REFUSED_SOCKET_TTL_MS = 3_600_000;

/**
 * The request Hocuspocus is given for every connection. The upgrade
 * authorised the socket and no hook of Préau reads the request's headers or
 * parameters, while Hocuspocus parses its URL again for the payload of every
 * message's hooks: with no URL, it parses nothing.
 */
const HOOK_REQUEST = { url: '', headers: new Headers() } as unknown as Request;

/**
 * Hooks Hocuspocus runs for every message or change that Préau's
 * configuration does not have. Left undefined, instead of Hocuspocus's no-op
 * defaults, they cost no promise chain per message; and UnheardChanges then
 * sees that nobody listens to changes.
 */
const NO_MESSAGE_HOOKS = {
  beforeHandleMessage: undefined,
  afterHandleMessage: undefined,
  beforeSync: undefined,
  onChange: undefined,
  onStoreDocument: undefined,
  afterStoreDocument: undefined,
  beforeHandleAwareness: undefined,
  onAwarenessUpdate: undefined,
  beforeBroadcastStateless: undefined,
} satisfies Partial<Configuration>;

/** The limits of a connection (defaults: DOC_LIMITS). */
export type DocLimits = { -readonly [K in keyof typeof DOC_LIMITS]: number };

/** What the docs server needs: the database, a token verifier, a logger. */
export interface DocsServerDeps {
  db: DocsExecutor;
  log: Logger;
  /** Verifies capability tokens for the 'preau:docs' audience. */
  verify: CapabilityVerifier;
  /** Path prefix of the upgrade route (default DOCS_WS_PATH). */
  path?: string;
  limits?: Partial<DocLimits>;
  /** A snapshot is compacted every this many updates of a document. */
  compactEvery?: number;
  /**
   * Answer a first sync of a document not in memory from the stored bytes
   * while the server integrates them (default true; see FirstSync).
   */
  firstSyncFromStorage?: boolean;
  /**
   * While a document gets more than `busyPerSecond` changes a second, its
   * changes within `windowMs` reach the other editors as one message
   * (BroadcastWindow; defaults 50 ms and 100 a second; a window of 0: never).
   */
  broadcastWindow?: { windowMs: number; busyPerSecond: number };
  /** More Hocuspocus extensions (e.g. Redis fan-out across nodes). */
  extensions?: Extension[];
  /**
   * Cross-node fan-out: erasures announce rewritten documents on
   * DOC_REWRITE_CHANNEL, and a document loaded here drops the erased text.
   */
  fanout?: Fanout;
  /**
   * Several docs nodes: documents loaded on more than one node stay one
   * document through Redis (NodeRelay), and loaded documents catch up with
   * the database every `catchUpMs` (DatabaseCatchUp, default 1000 ms).
   */
  crossNode?: { redisUrl: string; catchUpMs?: number };
}

/** A running docs server: an upgrade handler to mount on any HTTP server. */
export interface DocsServer {
  readonly path: string;
  readonly hocuspocus: Hocuspocus<DocsContext>;
  /** Resolves once the server follows erasures (its fan-out subscription is active). */
  readonly ready: Promise<void>;
  /** Authorises and accepts a WebSocket upgrade on `path/<docId>?token=…`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Answers first syncs from the stored bytes while documents load. */
  readonly firstSync: FirstSync;
  /** The Redis relay between docs nodes (with `crossNode`). */
  readonly relay: NodeRelay | undefined;
  stats(): {
    documents: number;
    connections: number;
    recovered: number;
    /** First syncs answered from the stored bytes while the document loaded. */
    firstSyncs: number;
  } & PersistenceStats;
  /** Closes every connection (clients reconnect elsewhere) and waits for pending stores. */
  close(): Promise<void>;
}

/** Creates the docs server: Yjs documents over Hocuspocus, authorised at the upgrade. */
export function createDocsServer(deps: DocsServerDeps): DocsServer {
  const path = deps.path ?? DOCS_WS_PATH;
  const limits: DocLimits = { ...DOC_LIMITS, ...deps.limits };
  const log = deps.log.child({ module: 'docs' });
  // Created before Hocuspocus, which it only asks about documents in memory.
  let hocuspocusRef: Hocuspocus<DocsContext> | undefined;
  const firstSync = new FirstSync({
    db: deps.db,
    log,
    inMemory: (docId) => ({
      loaded: hocuspocusRef?.documents.has(docId) ?? false,
      loading: hocuspocusRef?.loadingDocuments.has(docId) ?? false,
    }),
  });
  const merges = new MergeThread(log);
  const persistence = new DocPersistence({
    db: deps.db,
    log,
    compactEvery: deps.compactEvery ?? 500,
    merges,
    firstSync,
  });
  const catchUp = deps.crossNode
    ? new DatabaseCatchUp({ db: deps.db, log, intervalMs: deps.crossNode.catchUpMs ?? 1000 })
    : undefined;
  const relay = deps.crossNode
    ? new NodeRelay({
        url: deps.crossNode.redisUrl,
        log,
        stored: (docId) => persistence.stored(docId),
      })
    : undefined;
  const hocuspocus = new Hocuspocus<DocsContext>({
    name: 'preau-docs',
    quiet: true,
    ...NO_MESSAGE_HOOKS,
    extensions: [
      persistence,
      new BroadcastWindow(deps.broadcastWindow),
      new UnheardChanges(),
      ...(catchUp ? [catchUp] : []),
      ...(relay ? [relay] : []),
      ...(deps.extensions ?? []),
    ],
    async onAuthenticate({ token, documentName, context, connectionConfig }) {
      // The upgrade already authorised this socket for one document; the
      // provider's own token must agree with it.
      if (documentName !== context.docId) {
        throw new PreauError('forbidden', 'this connection is for another document');
      }
      const claims = await deps.verify(token);
      if (claims.sub !== context.person || claims.doc !== context.docId) {
        throw new PreauError('forbidden', 'the token does not match the connection');
      }
      connectionConfig.readOnly = context.readOnly || !claims.rights.includes('write');
    },
  });
  hocuspocusRef = hocuspocus;
  const rewrites = deps.fanout?.subscribe(DOC_REWRITE_CHANNEL, (message) =>
    background(log, 'following a document rewrite', async () => {
      const notice = DocRewriteNotice.safeParse(safeJson(message));
      if (!notice.success) return log.warn('unreadable document rewrite notice');
      const { docId, seq } = notice.data;
      // A document still loading may have read its history before the rewrite: wait for it.
      const document =
        hocuspocus.documents.get(docId) ??
        (await hocuspocus.loadingDocuments.get(docId)?.catch(() => undefined));
      if (!document) return;
      await persistence.applyRewrite(document, {
        seq,
        deletion: new Uint8Array(Buffer.from(notice.data.deletion, 'base64')),
      });
    }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes * 2 });
  const sockets = new Set<WebSocket>();
  let closing: Promise<void> | undefined;

  const refuse = (socket: Duplex, err: unknown) => {
    const body = toErrorBody(err);
    const status: number = UPGRADE_STATUS[body.code as keyof typeof UPGRADE_STATUS] ?? 500;
    if (status === 500) log.error({ err }, 'upgrade failed');
    const json = JSON.stringify({ code: body.code });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `Connection: close\r\n\r\n${json}`,
    );
  };

  // Sockets of clients that came without a token (a stock Hocuspocus provider
  // carries it in its first message, not in the URL): refused inside the
  // protocol, so that the provider is told and stops, instead of meeting an
  // HTTP 401 and retrying forever. They hold no document and are capped.
  const refusedSockets = new Set<WebSocket>();
  const refuseInProtocol = (ws: WebSocket) => {
    refusedSockets.add(ws);
    const expire = setTimeout(
      () => ws.close(CLOSE_CODES.unauthenticated, 'unauthenticated'),
      REFUSED_SOCKET_TTL_MS,
    );
    ws.on('message', (data: RawData) => {
      const bytes = toBytes(data);
      const name = documentName(bytes);
      if (name !== null && messageType(bytes) === AUTH_TYPE)
        ws.send(permissionDenied(name, 'unauthenticated'));
    });
    ws.on('close', () => {
      clearTimeout(expire);
      refusedSockets.delete(ws);
    });
    ws.on('error', (err) => log.debug({ err }, 'refused socket error'));
  };

  const accept = (ws: WebSocket, transport: Duplex, context: DocsContext) => {
    sockets.add(ws);
    const gated = new WatchedSocket(ws, transport);
    const client = hocuspocus.handleConnection(gated, HOOK_REQUEST, context);
    const connLimits = new ConnectionLimits(limits);
    // A first sync while the document loads is answered from the stored bytes.
    const forward = (bytes: Uint8Array) => client.handleMessage(bytes);
    const inbound =
      deps.firstSyncFromStorage === false
        ? forward
        : firstSync.inbound({ docId: context.docId, socket: gated, forward });
    ws.on('message', (data: RawData) => {
      const bytes = toBytes(data);
      const refusal = connLimits.check(bytes.byteLength);
      if (refusal) {
        log.warn({ docId: context.docId, refusal }, 'closing a connection over its limits');
        ws.close(CLOSE_CODES[refusal], refusal);
        return;
      }
      inbound(bytes);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      sockets.delete(ws);
      client.handleClose({ code, reason: reason.toString() });
    });
    ws.on('error', (err) => log.warn({ err, docId: context.docId }, 'socket error'));
  };

  return {
    path,
    hocuspocus,
    firstSync,
    relay,
    ready: rewrites ? rewrites.then(() => undefined) : Promise.resolve(),
    handleUpgrade(req, socket, head) {
      socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
      if (closing) {
        refuse(socket, new PreauError('unavailable'));
        return;
      }
      (async () => {
        const { docId, token } = parseUpgradeUrl(req, path);
        return authorise({ db: deps.db, verify: deps.verify }, docId, token);
      })().then(
        (context) => {
          if (closing || socket.destroyed) return void socket.destroy();
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, context));
        },
        (err: unknown) => {
          const tokenless = !new URL(req.url ?? '/', 'http://localhost').searchParams.has('token');
          const told =
            tokenless &&
            err instanceof PreauError &&
            err.code === 'unauthenticated' &&
            refusedSockets.size < MAX_REFUSED_SOCKETS &&
            !closing &&
            !socket.destroyed;
          if (!told) return refuse(socket, err);
          wss.handleUpgrade(req, socket, head, refuseInProtocol);
        },
      );
    },
    stats: () => ({
      documents: hocuspocus.getDocumentsCount(),
      connections: hocuspocus.getConnectionsCount(),
      recovered: catchUp?.stats.recovered ?? 0,
      firstSyncs: firstSync.stats.answered,
      ...persistence.stats,
    }),
    close() {
      closing ??= (async () => {
        const unsubscribe = await rewrites?.catch(() => undefined);
        await unsubscribe?.();
        for (const ws of sockets) ws.close(CLOSE_CODES.serverShutdown, 'server_shutdown');
        await persistence.drainAll();
        await merges.close();
        catchUp?.close();
        // After the drain: replies waiting for those stores have been published.
        await relay?.onDestroy();
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** The message as JSON, or undefined (the schema check then reports it). */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
