import { LIVE_SESSION_ENDED_CHANNEL, type LiveSessionEndedNotice } from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import { endLiveSession, type Fanout, idleLiveSessions, type Schema } from '@preau/storage';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from './LiveSession';
import type { SessionRegistry } from './SessionRegistry';
import type { SessionTimeouts } from './types';

/** What the idle sweep needs. */
export interface IdleSweepDeps {
  db: Kysely<Schema>;
  registry: SessionRegistry;
  log: Logger;
  fanout?: Fanout | undefined;
  timeouts: Pick<SessionTimeouts, 'emptySessionMs' | 'idleSweepMs'>;
  /** Across nodes: whether another node runs the session (its room has its own timer). */
  runsElsewhere?: (sessionId: string) => Promise<boolean>;
}

/**
 * Ends the live sessions that nobody has been in for `emptySessionMs` and
 * that no room of this process holds (a loaded room has its own timer): a
 * session started and never joined, or left open by a process that stopped.
 * Returns how to stop the sweep.
 */
export function startIdleSweep(deps: IdleSweepDeps): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    background(deps.log, 'idle session sweep', () =>
      sweepIdleSessions(deps).finally(() => {
        running = false;
      }),
    );
  }, deps.timeouts.idleSweepMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** One pass of the sweep; answers the ids of the sessions it ended. */
export async function sweepIdleSessions(deps: IdleSweepDeps): Promise<string[]> {
  const now = new Date();
  const idle = await idleLiveSessions(deps.db, {
    before: new Date(now.getTime() - deps.timeouts.emptySessionMs),
  });
  const ended: string[] = [];
  for (const session of idle) {
    if (deps.registry.held(session.id)) continue;
    if (await deps.runsElsewhere?.(session.id)) continue;
    const done = await endLiveSession(deps.db, {
      id: session.id,
      by: SYSTEM_ACTOR,
      at: now,
      system: true,
    });
    if (!done) continue;
    ended.push(session.id);
    deps.log.info({ sessionId: session.id, spaceId: session.space }, 'empty session ended');
    const notice: LiveSessionEndedNotice = { session: session.id, endedAt: now.toISOString() };
    await deps.fanout?.publish(LIVE_SESSION_ENDED_CHANNEL, JSON.stringify(notice));
  }
  return ended;
}
