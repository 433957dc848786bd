import {
  type ClientEventName,
  ClientEventSchemas,
  SpaceChatClientEvents,
  type SpaceChatEventName,
} from '@preau/protocol';
import { isTypedRefusal, malformedFor } from '@preau/protocol/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClassroomSocket,
  call,
  groupOwnerChat,
  type Harness,
  person,
  request,
  type SpaceChatSocket,
  spaceChatRequest,
  startHarness,
} from './test/harness';

// Property: whatever malformed payload reaches any client event, the answer
// is a typed refusal (never `internal`), the server keeps serving, and
// nothing is stored. Rates are opened wide so that every payload reaches the
// schema check instead of the rate limiter.
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

describe('every socket event refuses malformed payloads with a typed error and changes nothing', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  const wide = { capacity: 1_000_000, perSecond: 1_000_000 };
  const fingerprint = async () => {
    const counts = await sql<{ t: string; n: number }>`
      SELECT 'trace' AS t, count(*)::int AS n FROM trace_outbox
      UNION ALL SELECT 'chat', count(*)::int FROM live_chat_message
      UNION ALL SELECT 'attendance', count(*)::int FROM live_attendance
      UNION ALL SELECT 'polls', count(*)::int FROM live_poll
      UNION ALL SELECT 'answers', count(*)::int FROM live_poll_answer
      UNION ALL SELECT 'floor', count(*)::int FROM live_session_floor
      UNION ALL SELECT 'sessions', count(*)::int FROM live_session WHERE phase <> 'ended'
      UNION ALL SELECT 'docs', count(*)::int FROM doc
      UNION ALL SELECT 'splits', count(*)::int FROM breakout_split`.execute(h.database.db);
    return Object.fromEntries(counts.rows.map((r) => [r.t, Number(r.n)]));
  };

  beforeAll(async () => {
    h = await startHarness({
      rateRules: {
        session: wide,
        chat: wide,
        hands: wide,
        moderation: wide,
        media: wide,
        read: wide,
      },
    });
    sessionId = await h.startSession('3eF', 'teacher1');
    teacher = await h.join(sessionId, person('teacher1', '3eF', 'teacher'));
  });
  afterAll(() => h.close());

  for (const event of Object.keys(ClientEventSchemas) as ClientEventName[]) {
    it(event, async () => {
      const before = await fingerprint();
      await fc.assert(
        fc.asyncProperty(malformedFor(ClientEventSchemas[event].request), async (payload) => {
          const answer = await request(teacher, event, payload as never);
          expect(isTypedRefusal(answer), JSON.stringify(answer)).toBe(true);
        }),
        { numRuns: RUNS },
      );
      expect(await fingerprint()).toEqual(before);
      // Still serving: a valid act goes through on the same socket.
      const raised = await call(teacher, 'hand.raise', {});
      expect(raised).toEqual({});
      await call(teacher, 'hand.lower', {});
    });
  }
});

// The same property on the other namespace: a space's persistent chat.
describe('every event of a space’s chat refuses malformed payloads with a typed error and changes nothing', () => {
  const SPACE = 'group_fuzz';
  let h: Harness;
  let chat: SpaceChatSocket;
  const wide = { capacity: 1_000_000, perSecond: 1_000_000 };
  const fingerprint = async () => {
    const counts = await sql<{ t: string; n: number }>`
      SELECT 'trace' AS t, count(*)::int AS n FROM trace_outbox
      UNION ALL SELECT 'chat', count(*)::int FROM live_chat_message
      UNION ALL SELECT 'edited', count(*)::int FROM live_chat_message WHERE edited_at IS NOT NULL
      UNION ALL SELECT 'deleted', count(*)::int FROM live_chat_message WHERE deleted_at IS NOT NULL
      UNION ALL SELECT 'read', count(*)::int FROM space_chat_read`.execute(h.database.db);
    return Object.fromEntries(counts.rows.map((r) => [r.t, Number(r.n)]));
  };

  beforeAll(async () => {
    h = await startHarness({
      rateRules: { session: wide, chat: wide, moderation: wide, read: wide, unknown: wide },
    });
    chat = await groupOwnerChat(h, SPACE);
  });
  afterAll(() => h.close());

  for (const event of Object.keys(SpaceChatClientEvents) as SpaceChatEventName[]) {
    it(event, async () => {
      const before = await fingerprint();
      await fc.assert(
        fc.asyncProperty(malformedFor(SpaceChatClientEvents[event].request), async (payload) => {
          const answer = await spaceChatRequest(chat, event, payload as never);
          expect(isTypedRefusal(answer), JSON.stringify(answer)).toBe(true);
        }),
        { numRuns: RUNS },
      );
      expect(await fingerprint()).toEqual(before);
      // Still serving: a valid read goes through on the same socket.
      const history = await spaceChatRequest(chat, 'chat.history', {});
      expect(history.ok).toBe(true);
    });
  }
});
