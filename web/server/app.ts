import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Logger, listen, NodeHealth } from '@preau/protocol/server';
import { refuseCrossSiteApiForm } from './apiEdge';
import type { ServerConfig } from './config';
import { type MountedRealtime, mountRealtime } from './realtime/index';
import { attachServices } from './requestServices';
import { cspHeader, setSecurityHeaders } from './securityHeaders';
import { createServices, type Services } from './services';

/**
 * Where `vite build` (adapter-node) writes the app. PREAU_BUILD_DIR points at
 * a copy instead (a test run that must not see a rebuild in progress); the
 * copy must sit under the repository so its packages resolve.
 */
export const BUILD_DIR = process.env.PREAU_BUILD_DIR
  ? `${process.env.PREAU_BUILD_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../build/', import.meta.url));

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const ORIGIN_HEADERS = { protocol: 'x-preau-proto', host: 'x-preau-host' } as const;

/** Handles WebSocket upgrades for one path prefix (documents, live sessions). */
export interface UpgradeRoute {
  prefix: string;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** A running Préau: its address and how to stop it. */
export interface RunningPreau {
  url: string;
  port: number;
  server: Server;
  services: Services;
  /** Answers `/healthz`; says draining once `drain` is called. */
  health: NodeHealth;
  /** Says draining to the balancer, then waits for the requests in flight (and live sockets). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts all of Préau on one port: SvelteKit's pages and API through the
 * adapter-node handler, and WebSocket upgrades routed by path to the
 * realtime servers.
 */
export async function startPreau(config: ServerConfig, log: Logger): Promise<RunningPreau> {
  const handlerFile = `${BUILD_DIR}handler.js`;
  if (!existsSync(handlerFile)) {
    throw new Error(`the web app is not built (${handlerFile} missing): run \`npm run build\``);
  }
  // adapter-node reads its settings from the environment when first imported:
  // it learns the request's origin from two headers that only this server sets.
  process.env.PREAU_KIT_PROTOCOL_HEADER = ORIGIN_HEADERS.protocol;
  process.env.PREAU_KIT_HOST_HEADER = ORIGIN_HEADERS.host;
  process.env.PREAU_KIT_BODY_SIZE_LIMIT ??= '12M';
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: NodeHandler };
  const services = await createServices(config, log);

  const publicUrl = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : undefined;
  // The external provider receives the sign-out form's redirect.
  const providerOrigin = config.OIDC_ISSUER ? [new URL(config.OIDC_ISSUER).origin] : [];
  const security = {
    https: publicUrl?.protocol === 'https:',
    csp: cspHeader({ 'form-action': providerOrigin }),
  };
  // Requests in flight, so that a draining node answers every one it took.
  let inFlight = 0;
  const health = new NodeHealth('web', () => ({ requests: inFlight }));
  const server = createServer((req, res) => {
    if (health.answer(req, res)) return;
    inFlight++;
    res.once('close', () => inFlight--);
    setSecurityHeaders(res, security);
    // The origin is PUBLIC_URL when set, else the Host the client used over
    // plain HTTP; whatever a client sent in these headers is overwritten.
    req.headers[ORIGIN_HEADERS.protocol] = publicUrl ? publicUrl.protocol.slice(0, -1) : 'http';
    req.headers[ORIGIN_HEADERS.host] = publicUrl
      ? publicUrl.host
      : (req.headers.host ?? 'localhost');
    const origin = `${req.headers[ORIGIN_HEADERS.protocol]}://${req.headers[ORIGIN_HEADERS.host]}`;
    if (refuseCrossSiteApiForm(req, res, origin)) return;
    const demo = services.identity.demoProvider();
    if (demo && /^\/oidc(\/|\?|$)/.test(req.url ?? '')) return demo.handle(req, res);
    attachServices(req, services);
    handler(req, res);
  });
  // With REALTIME=external the balancer sends live and document sockets to their own nodes.
  const realtime: MountedRealtime =
    config.REALTIME === 'external'
      ? { upgrades: [], close: async () => {} }
      : await mountRealtime(server, services);
  const upgrades = realtime.upgrades;
  const sockets = new Set<Duplex>();
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = upgrades.find((r) => path.startsWith(r.prefix));
    if (route) return route.handle(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });

  const port = await listen(server, config.PORT, config.HOST);
  const url =
    config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  const loopback = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  await services.identity.start(
    url,
    `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`,
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    services,
    health,
    drain: () => health.drainConnections(() => inFlight + sockets.size, config.drain),
    close: () => {
      closing ??= (async () => {
        await realtime.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await services.close();
      })();
      return closing;
    },
  };
}
