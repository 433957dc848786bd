import { silentLogger } from '@preau/protocol/server';
import { Archiver, type Database, loadArchiveSigner, SampleActivity } from '@preau/storage';
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
