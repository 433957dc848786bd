import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  fromZodError,
  PreauError,
  type Result,
  SFU_AUTH_HEADER,
  SFU_MAX_MESSAGE_BYTES,
  SFU_RPC_VERSION,
  type SfuCall,
  type SfuNodeLoad,
  SfuRequest,
  type SfuServerMessage,
  toErrorBody,
} from '@preau/protocol';
import type { Logger, NodeHealth } from '@preau/protocol/server';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SfuApi } from '../SfuApi';
import { verifyAuth } from './auth';

/** The path the RPC WebSocket is served on. */
export const SFU_RPC_PATH = '/sfu-rpc';
/** Calls one connection may have in flight; more are refused with `rate_limited`. */
const MAX_IN_FLIGHT = 256;

/** A running RPC endpoint. */
export interface SfuRpcServer {
  /** `ws://host:port/sfu-rpc`, for createSfuClient. */
  readonly url: string;
  readonly port: number;
  /** Closes every connection and the listening socket (the SFU stays open); idempotent. */
  close(): Promise<void>;
}

/**
 * Serves an SfuApi over a WebSocket: the upgrade is refused (401, before any
 * state) unless it carries a fresh HMAC of the shared secret; each message is
 * parsed with the protocol's schema, and a bad one gets a typed error and
 * changes nothing. Every connection receives every event of the SFU.
 */
export async function startSfuRpcServer(opts: {
  sfu: SfuApi;
  secret: string;
  host: string;
  port: number;
  log: Logger;
  /** The process's load, pushed to every connection every `loadIntervalMs` (and on connect). */
  loadReport?: () => Promise<SfuNodeLoad>;
  loadIntervalMs?: number;
  /** Answers `/healthz` on the RPC port (a supervisor's or a monitor's check). */
  health?: NodeHealth;
}): Promise<SfuRpcServer> {
  const { sfu, secret, log } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: SFU_MAX_MESSAGE_BYTES });
  const http = createServer((req, res) => {
    if (opts.health?.answer(req, res)) return;
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SFU_RPC_PATH) return refuse(socket, 404, 'Not Found');
    if (!verifyAuth(secret, req.headers[SFU_AUTH_HEADER])) {
      log.warn({ remote: req.socket.remoteAddress }, 'sfu rpc: refused unauthenticated upgrade');
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  function serve(ws: WebSocket) {
    let inFlight = 0;
    const send = (message: SfuServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const respond = (id: number | null, result: Result<unknown>) =>
      send({ type: 'response', id, result });
    const unsubscribe = sfu.subscribe((event) => send({ type: 'event', event }));
    ws.on('close', unsubscribe);
    ws.on('error', (err) => log.warn({ err }, 'sfu rpc: connection error'));
    send({ type: 'hello', version: SFU_RPC_VERSION });
    if (lastLoad) send({ type: 'load', load: lastLoad });

    ws.on('message', (data, isBinary) => {
      const request = readRequest(data.toString(), isBinary);
      if (!request.ok) return respond(request.id, { ok: false, error: request.error.toBody() });
      const { id, call } = request;
      if (inFlight >= MAX_IN_FLIGHT) {
        return respond(id, { ok: false, error: { code: 'rate_limited' } });
      }
      inFlight++;
      dispatch(sfu, call)
        .then((data) => respond(id, { ok: true, data }))
        .catch((err: unknown) => {
          if (!(err instanceof PreauError))
            log.error({ err, call: call.type }, 'sfu rpc: call failed');
          respond(id, { ok: false, error: toErrorBody(err) });
        })
        .finally(() => inFlight--);
    });
  }

  // One report for every connection: the figures are the process's, not the connection's.
  let lastLoad: SfuNodeLoad | undefined;
  let reporting = false;
  const report = opts.loadReport;
  const reporter = report
    ? setInterval(() => {
        if (reporting) return;
        reporting = true;
        report()
          .then((load) => {
            lastLoad = load;
            const text = JSON.stringify({ type: 'load', load } satisfies SfuServerMessage);
            for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
          })
          .catch((err: unknown) => {
            if (!(err instanceof PreauError)) log.error({ err }, 'sfu rpc: load report failed');
          })
          .finally(() => {
            reporting = false;
          });
      }, opts.loadIntervalMs ?? 1000)
    : undefined;
  reporter?.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${host}:${port}${SFU_RPC_PATH}`,
    port,
    close() {
      clearInterval(reporter);
      closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
      });
      return closing;
    },
  };
}

type ReadResult =
  | { ok: true; id: number; call: SfuCall }
  | { ok: false; id: number | null; error: PreauError };

/** Parses one message; on failure keeps the request id when it can be read, to answer it. */
function readRequest(text: string, isBinary: boolean): ReadResult {
  if (isBinary) return { ok: false, id: null, error: new PreauError('bad_request', 'text only') };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: new PreauError('bad_request', 'not JSON') };
  }
  const parsed = SfuRequest.safeParse(json);
  if (parsed.success) return { ok: true, ...parsed.data };
  const rawId = (json as { id?: unknown } | null)?.id;
  const id = Number.isSafeInteger(rawId) && (rawId as number) >= 0 ? (rawId as number) : null;
  return { ok: false, id, error: fromZodError(parsed.error) };
}

/** Calls the method named by the call's type with the rest of it. */
function dispatch(sfu: SfuApi, call: SfuCall): Promise<unknown> {
  const { type, ...params } = call;
  const method = sfu[type] as (p: typeof params) => Promise<unknown>;
  return method.call(sfu, params);
}

function refuse(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
