import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classSpaceId, type RecordingFailed, type SessionView } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { createSfu, type Sfu } from '@preau/sfu';
import { MemoryObjectStore } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, person, recorder, startHarness } from './test/harness';

// ffmpeg failing (here: a program that exits at once) never ends the
// session: the teacher is told with a typed code, the failure is traced, and
// the class goes on.
describe('a recording whose ffmpeg fails', () => {
  let sfu: Sfu;
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    sfu = await createSfu({ workers: 1, log: silentLogger() });
    dir = await mkdtemp(join(tmpdir(), 'preau-rec-fail-'));
    h = await startHarness({
      sfu,
      recording: { objects: new MemoryObjectStore(), dir, ffmpeg: 'false' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await sfu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the teacher, traces why, and the session goes on', async () => {
    const sessionId = await h.startSession('4eF', 'prof');
    const teacher = await h.join(sessionId, person('prof', '4eF', 'teacher'));
    const seen = recorder(teacher);
    const { recordingId } = await call(teacher, 'recording.start', {});
    await expect
      .poll(() => seen.of<RecordingFailed>('recording.failed').at(-1))
      .toEqual({ recordingId, code: 'unavailable' });
    await expect.poll(() => seen.of<SessionView>('session.updated').at(-1)?.recording).toBeNull();
    await expect
      .poll(async () =>
        h.database.db
          .selectFrom('trace_outbox')
          .select('payload')
          .where('space_id', '=', classSpaceId('4eF'))
          .where('kind', '=', 'recording.stopped')
          .executeTakeFirst(),
      )
      .toBeDefined();
    const row = await h.database.db
      .selectFrom('trace_outbox')
      .select('payload')
      .where('kind', '=', 'recording.stopped')
      .where('subject', '=', recordingId)
      .executeTakeFirstOrThrow();
    expect(row.payload).toMatchObject({ failure: 'unavailable', file: null });
    // The class goes on: chat works, and a new recording may be tried.
    await call(teacher, 'chat.send', { text: 'On continue.' });
    expect((await call(teacher, 'recording.start', {})).recordingId).not.toBe(recordingId);
  }, 60_000);
});
