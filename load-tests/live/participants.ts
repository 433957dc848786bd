// A simulated participant of a live session: a socket.io client (no media)
// that connects with a real token and joins, retrying a busy node the way the
// browser does (the shared jittered back-off), and that says exactly how it
// ended: served, served after being told to retry, refused, or dropped with
// no answer (which must never happen).

import {
  busyBackoffSeconds,
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  type ConnectRefusal,
  PROTOCOL_VERSION,
  type Result,
} from '@preau/protocol';
import { io, type Socket } from 'socket.io-client';

/** A typed client of live sessions. */
export type LiveSocket = Socket<ClassroomServerToClient, ClassroomClientToServer>;

/** How one participant's join ended. */
export interface JoinOutcome {
  result: 'served' | 'retried' | 'refused' | 'dropped';
  /** Busy answers before being served (handshake and join). */
  busy: number;
  /** Why the node said busy, each time (its message: node full, node behind, joins in flight). */
  busyWhy: string[];
  /** From the first attempt to being in (retries included), ms. */
  totalMs: number;
  /** The attempt that got in: connect + handshake + join, ms. */
  attemptMs: number;
  /** Handshake alone (connect to `connect`) of that attempt, ms. */
  handshakeMs: number;
  /** Why, when refused or dropped. */
  reason?: string;
  socket?: LiveSocket;
}

/** Answers not received within this long count as dropped: a node must answer, even `busy`. */
const SILENCE_MS = 30_000;

function connectOnce(
  url: string,
  token: string,
  sessionId: string,
): Promise<{ socket: LiveSocket } | { refusal: ConnectRefusal } | { silent: string }> {
  return new Promise((resolve) => {
    const socket: LiveSocket = io(url, {
      path: CLASSROOM_SOCKET_PATH,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: SILENCE_MS,
      auth: { token, session: sessionId, protocol: PROTOCOL_VERSION },
    });
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err: Error & { data?: ConnectRefusal }) => {
      socket.close();
      resolve(err.data ? { refusal: err.data } : { silent: `transport: ${err.message}` });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects and joins, retrying a busy node; `token()` is asked for each connection. */
export async function joinSession(
  url: string,
  sessionId: string,
  token: () => Promise<string>,
  /** Asked before each retry after `busy`: false gives up (the run is over). */
  keepTrying: () => boolean = () => true,
): Promise<JoinOutcome> {
  const first = performance.now();
  let busy = 0;
  const busyWhy: string[] = [];
  for (;;) {
    const start = performance.now();
    const connected = await connectOnce(url, await token(), sessionId);
    const handshakeMs = performance.now() - start;
    if ('silent' in connected) return outcome('dropped', connected.silent);
    if ('refusal' in connected) {
      if (connected.refusal.code !== 'busy') return outcome('refused', connected.refusal.code);
      busyWhy.push(`handshake: ${connected.refusal.message ?? '?'}`);
      await sleep(busyBackoffSeconds(connected.refusal.retryAfterSeconds ?? 1, busy++) * 1000);
      if (!keepTrying()) return outcome('refused', 'busy until the end of the run');
      continue;
    }
    const { socket } = connected;
    let joinStart = start;
    for (;;) {
      const answer = await send(socket, 'session.join', {});
      if (answer === null) {
        socket.close();
        return outcome('dropped', 'no answer to session.join');
      }
      if (answer.ok) {
        return {
          result: busy > 0 ? 'retried' : 'served',
          busy,
          busyWhy,
          totalMs: performance.now() - first,
          attemptMs: performance.now() - joinStart,
          handshakeMs,
          socket,
        };
      }
      if (answer.error.code !== 'busy') {
        socket.close();
        return outcome('refused', answer.error.code);
      }
      busyWhy.push(`join: ${answer.error.message ?? '?'}`);
      await sleep(busyBackoffSeconds(answer.error.retryAfterSeconds ?? 1, busy++) * 1000);
      if (!keepTrying()) {
        socket.close();
        return outcome('refused', 'busy until the end of the run');
      }
      joinStart = performance.now();
    }
  }

  function outcome(result: 'refused' | 'dropped', reason: string): JoinOutcome {
    const ms = performance.now() - first;
    return { result, busy, busyWhy, totalMs: ms, attemptMs: ms, handshakeMs: Number.NaN, reason };
  }
}

/** Sends one event and resolves with its ack (null: no answer within the silence limit). */
export function send(
  socket: LiveSocket,
  event: string,
  payload: unknown,
): Promise<Result<unknown> | null> {
  return new Promise((resolve) => {
    const target = socket.timeout(SILENCE_MS);
    const emit = target.emit as unknown as (
      e: string,
      p: unknown,
      ack: (err: Error | null, r: Result<unknown>) => void,
    ) => void;
    emit.call(target, event, payload, (err, r) => resolve(err ? null : r));
  });
}
