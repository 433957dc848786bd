// What the docs-node kill tests and the docs-nodes benchmark share: a TCP
// stand-in for the balancer, and editors that come back by themselves after
// a lost connection, as the browser's do.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';

/** A TCP stand-in for the load balancer, on a loopback port of its own. */
export interface TcpBalancer {
  port: number;
  /** Closes every connection through it, then stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a stand-in for the load balancer: each new connection goes to the
 * first of `ports()` that accepts it (asked again for each connection), so
 * the clients of a dead node land on another one. A connection whose node
 * goes away is closed at once on the client's side too.
 */
export async function startTcpBalancer(ports: () => number[]): Promise<TcpBalancer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const tryNode = (left: number[]) => {
      const [port, ...rest] = left;
      if (port === undefined) return void client.destroy();
      const upstream = tcpConnect(port, '127.0.0.1');
      upstream.once('error', () => {
        upstream.destroy();
        if (upstream.bytesRead === 0 && !client.destroyed) tryNode(rest);
        else client.destroy();
      });
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    tryNode(ports());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The browser's retry settings (web/src/lib/docs/connection.ts): a first
 * retry after 0.5 s, then growing to 2.5 s at most, with jitter.
 */
export const BROWSER_RETRY = { delay: 500, minDelay: 250, maxDelay: 2500 } as const;

/** A stock provider on its own socket that reconnects by itself. */
export interface ReconnectingEditor {
  provider: HocuspocusProvider;
  destroy(): void;
}

/**
 * A stock Hocuspocus provider that comes back by itself after a lost
 * connection, with the browser's retry settings; `wsUrl` is the docs path
 * (…/docs-ws), the document and token are added to it.
 */
export function reconnectingEditor(
  wsUrl: string,
  docId: string,
  token: string,
  document: Y.Doc = new Y.Doc(),
): ReconnectingEditor {
  const socket = new HocuspocusProviderWebsocket({
    url: `${wsUrl}/${docId}?token=${encodeURIComponent(token)}`,
    ...BROWSER_RETRY,
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: docId,
    token,
    document,
  });
  provider.attach();
  return {
    provider,
    destroy: () => {
      provider.destroy();
      socket.destroy();
    },
  };
}

/** Resolves, with the time (ms since the epoch), when the provider has synced (again). */
export function resynced(provider: HocuspocusProvider): Promise<number> {
  return new Promise<number>((resolve) => {
    const onSynced = ({ state }: { state: boolean }) => {
      if (!state) return;
      provider.off('synced', onSynced);
      resolve(Date.now());
    };
    provider.on('synced', onSynced);
  });
}

/** Resolves when the provider's connection is next lost. */
export function disconnected(provider: HocuspocusProvider): Promise<void> {
  return new Promise<void>((resolve) => {
    const onStatus = ({ status }: { status: string }) => {
      if (status !== 'disconnected') return;
      provider.off('status', onStatus);
      resolve();
    };
    provider.on('status', onStatus);
  });
}
