import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** How many ports below the system's ephemeral range the tests pick from. */
const SPAN = 12_000;

/** Ports this process handed out lately (port → when), not handed out again for a minute. */
const handedOut = new Map<number, number>();
const RECENT_MS = 60_000;

function recent(port: number): boolean {
  const at = handedOut.get(port);
  return at !== undefined && performance.now() - at < RECENT_MS;
}

/**
 * The lowest port the system hands out for outgoing connections and for
 * `listen(0)` (Linux: 32768 unless configured), or null when unknown.
 */
export function ephemeralLow(): number | null {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 0 ? low : null;
  } catch {
    return null;
  }
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free TCP port on loopback for a server a test starts as another process.
 * The port is free when returned, not reserved: between this answer and the
 * process binding it, another socket may take it. A port from the system's
 * ephemeral range (what `listen(0)` gives) can be taken by any outgoing
 * connection meanwhile, and the suites make thousands (one guess for the
 * cluster node that once exited before it was ready), so the port is
 * picked at random just below that range, where only servers that name
 * their port listen; and not one this process handed out in the last
 * minute (a cluster asks for ten before starting any).
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  let port: number | null = null;
  if (low !== null && low - SPAN >= 1024) {
    for (let attempt = 0; attempt < 50 && port === null; attempt += 1) {
      const candidate = low - SPAN + Math.floor(Math.random() * SPAN);
      if (!recent(candidate)) port = await tryListen(candidate);
    }
  }
  port ??= await tryListen(0);
  if (port === null) throw new Error('no free port on loopback');
  handedOut.set(port, performance.now());
  return port;
}
