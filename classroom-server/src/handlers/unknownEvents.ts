import type { Socket } from 'socket.io';
import type { RateLimiter } from './RateLimiter';

/** Unknown events refused for their rate before the socket is disconnected. */
export const UNKNOWN_EVENTS_TOLERATED = 20;

/**
 * An event the protocol does not know still gets a typed answer when it asks
 * for one, and costs like any other (the `unknown` rate group): a client
 * looping on them is slowed, then put out. `onPutOut` runs before the
 * socket is disconnected (to log who).
 */
export function limitUnknownEvents(
  socket: Socket,
  known: ReadonlySet<string>,
  limiter: RateLimiter,
  onPutOut: () => void = () => {},
): void {
  let refused = 0;
  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.has(event)) return;
    const ack = args.at(-1);
    const allowed = limiter.take('unknown');
    if (typeof ack === 'function')
      ack({
        ok: false,
        error: allowed
          ? { code: 'bad_request', message: 'unknown event' }
          : { code: 'rate_limited', message: 'slow down' },
      });
    if (!allowed && ++refused > UNKNOWN_EVENTS_TOLERATED) {
      onPutOut();
      socket.disconnect(true);
    }
  });
}
