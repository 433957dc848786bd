import { type ChatMessage, PERSON_ERASED_CHANNEL } from '@preau/protocol';
import { MemoryFanout } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, person, recorder, startHarness } from './test/harness';

// The stored chat is erased by the archive; a session running at that moment
// must also drop the person's messages from its memory and from every screen.
describe('an erasure reaches live sessions', () => {
  const fanout = new MemoryFanout();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fanout });
  });
  afterAll(async () => {
    await h?.close();
    await fanout.close();
  });

  it('removes the person’s messages from the session, for those present and those who join', async () => {
    const sessionId = await h.startSession('5eC', 'prof5');
    const join = (sub: string, kind: 'teacher' | 'student') =>
      h.join(sessionId, person(sub, '5eC', kind));
    const teacher = await join('prof5', 'teacher');
    const leo = await join('leo', 'student');
    const seen = recorder(teacher);
    const mine = await call(leo, 'chat.send', { text: 'mon numéro : 06 12 34 56 78' });
    const kept = await call(teacher, 'chat.send', { text: 'Merci de ne pas partager cela.' });
    await expect.poll(() => seen.of('chat.message').length).toBe(1);

    await fanout.publish(PERSON_ERASED_CHANNEL, 'not json');
    await fanout.publish(PERSON_ERASED_CHANNEL, JSON.stringify({ person: 'leo' }));
    await expect.poll(() => seen.of('chat.deleted')).toEqual([{ messageId: mine.messageId }]);

    const late = await h.connect({
      token: await h.mint(person('ana', '5eC', 'student')),
      session: sessionId,
    });
    const snapshot = await call(late, 'session.join', {});
    expect(snapshot.chat.map((m: ChatMessage) => m.messageId)).toEqual([kept.messageId]);
    expect(JSON.stringify(snapshot)).not.toContain('06 12 34 56 78');
  });
});
