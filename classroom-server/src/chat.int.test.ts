import { type ChatMessage, classSpaceId } from '@preau/protocol';
import { readOutbox } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClassroomSocket,
  call,
  type Harness,
  person,
  recorder,
  request,
  startHarness,
} from './test/harness';

// Authors correct and delete their own messages; every version stays in the
// trace records, so the archive keeps what was first said.
describe('correcting and deleting one’s own chat messages', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let lou: ClassroomSocket;
  let max: ClassroomSocket;
  beforeAll(async () => {
    h = await startHarness();
    sessionId = await h.startSession('6eD', 'prof6');
    const join = (sub: string, kind: 'teacher' | 'student') =>
      h.join(sessionId, person(sub, '6eD', kind));
    teacher = await join('prof6', 'teacher');
    lou = await join('lou', 'student');
    max = await join('max', 'student');
  });
  afterAll(() => h?.close());

  it('lets the author correct a message for everyone, and keeps both versions in the traces', async () => {
    const seen = recorder(max);
    const sent = await call(lou, 'chat.send', { text: 'La réponse est 24.' });
    const edited = await call(lou, 'chat.edit', {
      messageId: sent.messageId,
      text: '  La réponse est 42.  ',
    });
    expect(edited).toMatchObject({
      messageId: sent.messageId,
      text: 'La réponse est 42.',
      participantId: 'lou',
    });
    expect(Date.parse(edited.editedAt!)).toBeGreaterThanOrEqual(Date.parse(sent.sentAt));
    await expect
      .poll(() => seen.of<ChatMessage>('chat.edited').map((m) => m.text))
      .toEqual(['La réponse est 42.']);

    // Someone joining now reads the corrected text, marked as corrected.
    const snapshot = await call(teacher, 'session.join', {});
    expect(snapshot.chat.find((m) => m.messageId === sent.messageId)).toMatchObject({
      text: 'La réponse est 42.',
      editedAt: edited.editedAt,
    });
    const traces = await readOutbox(h.database.db, classSpaceId('6eD'));
    const ofMessage = traces.filter((t) => t.subject === sent.messageId);
    expect(ofMessage.map((t) => [t.kind, t.payload.text])).toEqual([
      ['chat.message', 'La réponse est 24.'],
      ['chat.edited', 'La réponse est 42.'],
    ]);
  });

  it('refuses to let anyone else correct it, or an empty text, and changes nothing', async () => {
    const sent = await call(lou, 'chat.send', { text: 'Je suis d’accord.' });
    const codes = [
      await request(max, 'chat.edit', {
        messageId: sent.messageId,
        text: 'Je ne suis pas d’accord.',
      }),
      await request(teacher, 'chat.edit', { messageId: sent.messageId, text: 'Modifié' }),
      await request(lou, 'chat.edit', { messageId: sent.messageId, text: '   ' }),
      await request(lou, 'chat.edit', { messageId: 'm_nope', text: 'Rien' }),
    ].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toEqual(['forbidden', 'forbidden', 'bad_request', 'not_found']);
    const snapshot = await call(max, 'session.join', {});
    expect(snapshot.chat.find((m) => m.messageId === sent.messageId)?.text).toBe(
      'Je suis d’accord.',
    );
  });

  it('lets the author delete their own message, not someone else’s', async () => {
    const seen = recorder(teacher);
    const mine = await call(max, 'chat.send', { text: 'Oups, mauvaise fenêtre.' });
    // (The teacher writes it: Lou has used up her burst of chat events above.)
    const theirs = await call(teacher, 'chat.send', { text: 'Message de la professeure.' });
    expect(await request(max, 'chat.delete', { messageId: theirs.messageId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await call(max, 'chat.delete', { messageId: mine.messageId });
    await expect.poll(() => seen.of('chat.deleted')).toEqual([{ messageId: mine.messageId }]);
    // A deleted message can no longer be corrected.
    expect(
      await request(max, 'chat.edit', { messageId: mine.messageId, text: 'Trop tard' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const traces = await readOutbox(h.database.db, classSpaceId('6eD'));
    expect(
      traces.filter((t) => t.subject === mine.messageId).map((t) => [t.kind, t.actor]),
    ).toEqual([
      ['chat.message', 'max'],
      ['chat.deleted', 'max'],
    ]);
  });
});
