import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { busyError } from '@preau/protocol';
import { env, readConfig } from '@preau/protocol/server';

/** What one classroom node takes before it answers `busy`. */
export interface AdmissionLimits {
  /** Sockets held at once (handshakes under way included). */
  maxConnections: number;
  /** `session.join` calls being served at once (each builds a snapshot and records a trace in a transaction). */
  maxJoinsInFlight: number;
  /**
   * Joins that wait, in order, for one of those slots (at most `joinWaitMs`)
   * rather than being told `busy` at once: a class coming back after its node
   * died arrives in one burst, and waiting a few hundred milliseconds here
   * beats backing off for seconds. 0: no line, `busy` at once.
   */
  maxJoinsWaiting: number;
  /** The longest a join waits in that line before `busy`. */
  joinWaitMs: number;
  /** Event-loop delay (p99 over each of the last two seconds, ms) beyond which new arrivals wait. */
  maxLoopDelayMs: number;
  /** The retry delay given at the threshold; it grows with the overload. */
  retryAfterSeconds: number;
}

/**
 * Defaults: the join storm measured ~100 kB per participant (load-tests/README.md),
 * so 6,000 sockets (the full storm's 5,000 and room) stay under a gigabyte; the
 * joins in flight bound the database work a surge queues; a loop late by
 * 200 ms is already behind on the classes it serves.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = Object.freeze({
  maxConnections: 6000,
  maxJoinsInFlight: 64,
  maxJoinsWaiting: 1024,
  joinWaitMs: 3000,
  maxLoopDelayMs: 200,
  retryAfterSeconds: 2,
});

/** The admission limits a deployment may set (LIVE_MAX_*), read once from the environment. */
export function readAdmissionLimits(
  source: Record<string, string | undefined> = process.env,
): AdmissionLimits {
  const config = readConfig(
    {
      LIVE_MAX_CONNECTIONS: env.int(DEFAULT_ADMISSION.maxConnections),
      LIVE_MAX_JOINS_IN_FLIGHT: env.int(DEFAULT_ADMISSION.maxJoinsInFlight),
      LIVE_MAX_JOINS_WAITING: env.count(DEFAULT_ADMISSION.maxJoinsWaiting),
      LIVE_JOIN_WAIT_MS: env.int(DEFAULT_ADMISSION.joinWaitMs),
      LIVE_MAX_LOOP_DELAY_MS: env.int(DEFAULT_ADMISSION.maxLoopDelayMs),
      LIVE_RETRY_AFTER_SECONDS: env.int(DEFAULT_ADMISSION.retryAfterSeconds),
    },
    source,
  );
  return Object.freeze({
    maxConnections: config.LIVE_MAX_CONNECTIONS,
    maxJoinsInFlight: config.LIVE_MAX_JOINS_IN_FLIGHT,
    maxJoinsWaiting: config.LIVE_MAX_JOINS_WAITING,
    joinWaitMs: config.LIVE_JOIN_WAIT_MS,
    maxLoopDelayMs: config.LIVE_MAX_LOOP_DELAY_MS,
    retryAfterSeconds: config.LIVE_RETRY_AFTER_SECONDS,
  });
}

/** What the node carries now, for logs and the load tests. */
export interface AdmissionStats {
  connections: number;
  joinsInFlight: number;
  /** Joins waiting for a slot. */
  joinsWaiting: number;
  /** p99 event-loop delay over the last second, ms. */
  loopDelayMs: number;
  /** Share of the last second the event loop was busy (0–1). */
  loopUtilisation: number;
  refusedConnections: number;
  refusedJoins: number;
}

/** The longest a client is told to wait, whatever the overload. */
const MAX_RETRY_SECONDS = 30;
/** How often the event loop's delay and utilisation are read (and the histogram reset). */
const SAMPLE_MS = 1000;

/**
 * Admission control of one classroom node: counts what it holds (sockets,
 * joins being served) and watches its event loop; beyond a limit, a new
 * connection or join is refused with `busy` and a retry delay that grows with
 * the overload. Refusing costs a comparison: it happens before the token is
 * even checked.
 */
export class Admission {
  readonly limits: AdmissionLimits;
  #connections = 0;
  #joins = 0;
  #refusedConnections = 0;
  #refusedJoins = 0;
  /** Joins waiting for a slot, first come first served. */
  readonly #waiting: Array<{ grant(): void }> = [];
  #loopDelayMs = 0;
  /** The lesser of the last two samples: one stall (a GC, a start-up) is not an overload. */
  #sustainedDelayMs = 0;
  #loopUtilisation = 0;
  readonly #histogram = monitorEventLoopDelay({ resolution: 10 });
  #elu = performance.eventLoopUtilization();
  #sampledAt = performance.now();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(limits: Partial<AdmissionLimits> = {}) {
    this.limits = { ...DEFAULT_ADMISSION, ...limits };
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#timer.unref?.();
  }

  /**
   * Takes a connection slot or throws `busy`; the returned release is
   * idempotent (a socket may end by its namespace or by its transport).
   */
  admitConnection(): () => void {
    const full = (this.#connections + 1) / this.limits.maxConnections;
    const over = Math.max(full, this.#loopPressure());
    if (over > 1) {
      this.#refusedConnections++;
      throw busyError(this.#retryFor(over), full > 1 ? 'node full' : 'node behind');
    }
    this.#connections++;
    return this.#once(() => this.#connections--);
  }

  /**
   * Takes a join slot, waiting in line for one when they are all taken (at
   * most `joinWaitMs`, behind at most `maxJoinsWaiting` others); `busy` when
   * the line is full, the wait too long, or the event loop late. Release the
   * slot when the join is answered.
   */
  async enterJoin(): Promise<() => void> {
    const free = this.#joins < this.limits.maxJoinsInFlight && this.#waiting.length === 0;
    const lineFull = this.#waiting.length >= this.limits.maxJoinsWaiting;
    // A free slot, a late event loop or a full line: taken or refused at once.
    if (free || lineFull || this.#loopPressure() > 1) return this.beginJoin();
    return new Promise<() => void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          this.#joins++;
          resolve(this.#once(() => this.#releaseJoin()));
        },
      };
      const timer = setTimeout(() => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        this.#refusedJoins++;
        reject(busyError(this.#retryFor(1), 'joins in flight'));
      }, this.limits.joinWaitMs);
      this.#waiting.push(waiter);
    });
  }

  /** Takes a join slot or throws `busy` at once; release it when the join is answered. */
  beginJoin(): () => void {
    const crowd = (this.#joins + 1) / this.limits.maxJoinsInFlight;
    const over = Math.max(crowd, this.#loopPressure());
    if (over > 1) {
      this.#refusedJoins++;
      throw busyError(this.#retryFor(over), crowd > 1 ? 'joins in flight' : 'node behind');
    }
    this.#joins++;
    return this.#once(() => this.#releaseJoin());
  }

  /** A join answered: its slot goes to the first in line, if any. */
  #releaseJoin() {
    this.#joins--;
    this.#waiting.shift()?.grant();
  }

  /** The node's figures now. */
  stats(): AdmissionStats {
    return {
      connections: this.#connections,
      joinsInFlight: this.#joins,
      joinsWaiting: this.#waiting.length,
      loopDelayMs: this.#loopDelayMs,
      loopUtilisation: this.#loopUtilisation,
      refusedConnections: this.#refusedConnections,
      refusedJoins: this.#refusedJoins,
    };
  }

  /** Stops watching the event loop; idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  /** Beyond 1, the loop is later than the limit allows. */
  #loopPressure(): number {
    return this.#sustainedDelayMs / this.limits.maxLoopDelayMs;
  }

  /** The base delay at the threshold, doubled for each doubling past it. */
  #retryFor(over: number): number {
    return Math.min(MAX_RETRY_SECONDS, this.limits.retryAfterSeconds * Math.max(1, over));
  }

  #sample() {
    // This timer's own lateness catches one long stall the histogram may not have recorded yet;
    // the histogram's p99 catches a loop late all the time (its floor is its 10 ms resolution).
    const at = performance.now();
    const late = at - this.#sampledAt - SAMPLE_MS;
    this.#sampledAt = at;
    const delay = Math.max(0, late, this.#histogram.percentile(99) / 1e6 - 10);
    this.#sustainedDelayMs = Math.min(delay, this.#loopDelayMs);
    this.#loopDelayMs = delay;
    this.#histogram.reset();
    const now = performance.eventLoopUtilization();
    this.#loopUtilisation = performance.eventLoopUtilization(now, this.#elu).utilization;
    this.#elu = now;
  }

  #once(release: () => void): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  }
}
