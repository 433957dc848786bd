import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ConfigError } from './config';
import { createLogger } from './logger';

/** Something a service's entry point started and must stop on a signal. */
export interface Stoppable {
  close(): Promise<void>;
  /**
   * Stops taking new work and waits for the live work to end (the balancer
   * sees the node draining); called on SIGTERM before `close`.
   */
  drain?(): Promise<void>;
}

/**
 * The common shape of every entry point (`main.ts`): read the configuration
 * (a bad one exits with status 2 and the message naming the variable), start,
 * and on SIGINT close everything once and exit. SIGTERM (a supervisor's or
 * a rolling restart's stop) drains first when the service can; a second
 * signal while draining closes at once.
 */
export function runService<C extends { LOG_LEVEL?: string }>(opts: {
  name: string;
  readConfig: () => C;
  start: (config: C, log: Logger) => Promise<Stoppable>;
}): void {
  let config: C;
  try {
    config = opts.readConfig();
  } catch (err) {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
    process.exit(2);
  }
  const log = createLogger(opts.name, config.LOG_LEVEL);
  opts.start(config, log).then(
    (running) => {
      let closing = false;
      const stop = (signal: string) => {
        if (closing) return;
        closing = true;
        log.info({ signal }, 'stopping');
        running.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'stop failed');
            process.exit(1);
          },
        );
      };
      let draining = false;
      const drain = (signal: string) => {
        if (!running.drain || draining) return stop(signal);
        draining = true;
        log.info({ signal }, 'draining');
        running.drain().then(
          () => stop(signal),
          (err: unknown) => {
            log.error({ err }, 'drain failed');
            stop(signal);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => drain('SIGTERM'));
    },
    (err: unknown) => {
      log.fatal({ err }, 'start failed');
      process.exit(1);
    },
  );
}

/** Listens and resolves with the bound port (0 asks for a free one). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue (Node's default is 511; the kernel caps it at
    // net.core.somaxconn): when a node dies, its clients reconnect to the
    // others all at once, and connections that overflow the queue are
    // dropped, which the balancer counts against a healthy node.
    server.listen({ port, host, backlog: 4096 }, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

/** Closes an HTTP server and every connection still open on it. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Answers an upgrade request that no route claims. */
export function refuseUpgrade(socket: Duplex, status = '404 Not Found'): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}
