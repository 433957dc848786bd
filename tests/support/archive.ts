import { silentLogger } from '@preau/protocol/server';
import {
  Archiver,
  type Database,
  loadArchiveSigner,
  readOutbox,
  SampleActivity,
  searchIndex,
} from '@preau/storage';
import type { RunningPreau } from '../../web/server/app';
import { startTestS3 } from './s3';

/** A database, a local S3 endpoint and an archiver over them, for the archive's tests. */
export interface ArchiveRig {
  database: Database;
  s3: Awaited<ReturnType<typeof startTestS3>>;
  archiver: Archiver;
}

/** Opens the database and a local S3 endpoint, and builds an archiver writing `segmentMax` records per segment. */
export async function startArchiveRig(
  open: () => Promise<Database>,
  segmentMax: number,
): Promise<ArchiveRig> {
  const [database, s3] = await Promise.all([open(), startTestS3()]);
  const archiver = new Archiver({
    db: database.db,
    objects: s3.store,
    signer: await loadArchiveSigner(database.db),
    log: silentLogger(),
    segmentMax,
  });
  return { database, s3, archiver };
}

/** A demo person's pseudonymous id, from their login. */
export async function personId(preau: RunningPreau, login: string): Promise<string> {
  const row = await preau.services.database.db
    .selectFrom('person')
    .select('id')
    .where('login', '=', login)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Records an hour-old lesson in a class's space through the trace port,
 * exactly as the pads, boards and live class record it (same kinds, payloads
 * and Yjs bodies): a pad and a board, a live session joined by the teacher
 * and a pupil, the pupil's typing, drawing and chat message, and a mute.
 */
export async function recordLesson(
  preau: RunningPreau,
  space: string,
  ids: { teacher: string; pupil: string; session: string; message: string },
): Promise<void> {
  const activity = new SampleActivity(
    preau.services.database.db,
    space,
    new Date(Date.now() - 3_600_000),
  );
  await activity.createDocs(ids.teacher);
  await activity.join(ids.teacher, ids.session, true);
  await activity.join(ids.pupil, ids.session);
  await activity.type(ids.pupil, 'Charlemagne fut couronné en l’an 800.');
  await activity.draw(ids.pupil, 'Frise chronologique');
  await activity.say(ids.pupil, 'Bonjour madame, je ne vois pas le tableau', ids.message);
  await activity.moderate(ids.teacher, 'mute', ids.pupil, ids.session);
  await activity.leave(ids.pupil, ids.session);
}

/**
 * The kinds of a space's traces, in their order, wherever they are now: still
 * in the outbox or already moved by the archiver to the archive's index. The
 * outbox is read first: a trace moved between the two reads is then in the
 * index (read the other way round, it would be in neither).
 */
export async function traceKinds(
  db: Parameters<typeof readOutbox>[0],
  space: string,
): Promise<string[]> {
  const bySeq = new Map<number, string>();
  for (const r of await readOutbox(db, space)) bySeq.set(Number(r.seq), r.kind);
  for (const hit of await searchIndex(db, { space, limit: 10_000, from: undefined, to: undefined }))
    bySeq.set(hit.seq, hit.kind);
  return [...bySeq].sort(([a], [b]) => a - b).map(([, kind]) => kind);
}
