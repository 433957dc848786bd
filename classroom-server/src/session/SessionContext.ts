import type {
  LeaveReason,
  ModerationAction,
  ServerEvent,
  ServerEventName,
  SessionView,
  TraceInput,
} from '@preau/protocol';
import type { Schema } from '@preau/storage';
import type { Kysely, Transaction } from 'kysely';
import type { MediaSignalling } from '../media/MediaSignalling';
import type { Participant } from './LiveSession';
import type { Actor } from './types';
import type { NodeWriters } from './writers';

/**
 * What a session's feature modules (chat, hands, teacher controls) may use of
 * their session. The session keeps its state private and hands them this.
 */
export interface SessionContext {
  readonly id: string;
  readonly space: string;
  readonly media: MediaSignalling | null;
  now(): Date;
  /** Runs a state change in the session's queue. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** The database, for a write that is one statement with its trace (no transaction needed). */
  readonly db: Kysely<Schema>;
  /** The node's writers (chat messages, hands: in batches). */
  readonly writers: NodeWriters;
  /** One database transaction: the state write and its trace commit together. */
  write<T>(work: (tx: Transaction<Schema>) => Promise<T>): Promise<T>;
  /** Records a trace in the session's space within a transaction. */
  trace(
    tx: Transaction<Schema>,
    actor: string,
    kind: TraceInput['kind'],
    subject: string,
    payload: Record<string, unknown>,
    at?: Date,
  ): Promise<unknown>;
  /** Records a teacher control (its own transaction). */
  moderationTrace(actor: string, action: ModerationAction, target?: string): Promise<unknown>;
  broadcast<E extends ServerEventName>(
    event: E,
    payload: ServerEvent<E>,
    exceptSocket?: string,
  ): void;
  /** The participant acting through this socket (`conflict` if not joined on it). */
  requireLive(actor: Actor): Participant;
  /** The same, and a moderator (`forbidden` otherwise). */
  requireModerator(actor: Actor): Participant;
  /** A participant present or reconnecting (`not_found` otherwise). */
  present(participantId: string): Participant;
  participants(): Iterable<Participant>;
  /** Tells a participant which teacher control acted on them. */
  tell(p: Participant, action: ModerationAction, by: string): void;
  /** Records a departure and tells everyone (inside `run`). */
  depart(p: Participant, reason: LeaveReason): Promise<void>;
  /** Keeps someone from coming back to this session. */
  banish(participantId: string): void;
  /** Ends the session for everyone (inside `run`); `keepSocket` stays open for its ack. */
  end(by: string, keepSocket?: string): Promise<void>;
  /** Applies a policy change already written. */
  setPolicy(policy: { locked?: boolean; studentScreenShare?: boolean }): void;
  canShareScreen(p: Participant): boolean;
  view(): SessionView;
  /** Sends an event to one socket (someone waiting, or one participant). */
  send<E extends ServerEventName>(socketId: string, event: E, payload: ServerEvent<E>): void;
  /** Tells everyone a participant changed (their moderator flag, after a co-teacher change). */
  announce(p: Participant): void;
}
