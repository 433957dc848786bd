import { sql } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { Executor } from '../identity/directory';

/** A file shared in a space, as stored (its bytes are in object storage). */
export interface SpaceFileRecord {
  id: string;
  spaceId: string;
  name: string;
  objectKey: string;
  mimeType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
}

/** Object storage key of a space's file: grouped by space, never guessable. */
export function spaceFileKey(spaceId: string, fileId: string): string {
  return `spaces/${spaceId}/files/${fileId}`;
}

type Row = {
  id: string;
  space_id: string;
  name: string;
  object_key: string;
  mime_type: string;
  size: number | string;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Date | string;
};

function toRecord(r: Row): SpaceFileRecord {
  return {
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    objectKey: r.object_key,
    mimeType: r.mime_type,
    size: Number(r.size),
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    uploadedAt: new Date(r.uploaded_at),
  };
}

/** Records a file already written to object storage under `spaceFileKey`. */
export async function insertSpaceFile(db: Executor, file: SpaceFileRecord): Promise<void> {
  await db
    .insertInto('space_file')
    .values({
      id: file.id,
      space_id: file.spaceId,
      name: file.name,
      object_key: file.objectKey,
      mime_type: file.mimeType,
      size: file.size,
      sha256: file.sha256,
      uploaded_by: file.uploadedBy,
      uploaded_at: file.uploadedAt,
    })
    .execute();
}

/** The files of a space that are not deleted, newest first. */
export async function spaceFiles(db: Executor, spaceId: string): Promise<SpaceFileRecord[]> {
  const rows = await db
    .selectFrom('space_file')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('deleted_at', 'is', null)
    .orderBy('uploaded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toRecord);
}

/** One file of a space that is not deleted, or null (also when it is another space's). */
export async function findSpaceFile(
  db: Executor,
  spaceId: string,
  fileId: string,
): Promise<SpaceFileRecord | null> {
  const row = await db
    .selectFrom('space_file')
    .selectAll()
    .where('id', '=', fileId)
    .where('space_id', '=', spaceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Marks a file deleted; false when it was not there (or already deleted). */
export async function markSpaceFileDeleted(
  db: Executor,
  opts: { spaceId: string; fileId: string; by: string; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('space_file')
    .set({ deleted_at: opts.at, deleted_by: opts.by })
    .where('id', '=', opts.fileId)
    .where('space_id', '=', opts.spaceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Removes the rows of files matching `where` that no legal hold covers and
 * returns them, so the caller deletes their objects (after the rows: a row
 * without its object is a missing file, an object without a row a leak).
 */
async function removeFiles(
  db: Executor,
  filter: { uploadedBy?: string; spaceId?: string; before?: Date },
): Promise<SpaceFileRecord[]> {
  let query = db
    .deleteFrom('space_file')
    .where(
      sql<boolean>`NOT ${holdCoversAct(sql.ref('space_file.space_id'), sql.ref('space_file.uploaded_by'), sql.ref('space_file.uploaded_at'))}`,
    );
  if (filter.uploadedBy !== undefined) query = query.where('uploaded_by', '=', filter.uploadedBy);
  if (filter.spaceId !== undefined) query = query.where('space_id', '=', filter.spaceId);
  if (filter.before !== undefined) query = query.where('uploaded_at', '<', filter.before);
  const rows = await query.returningAll().execute();
  return rows.map(toRecord);
}

/** Erasure: a person's files (deleted or not) that no hold covers; returns them for their objects. */
export function eraseSpaceFilesOf(db: Executor, personId: string): Promise<SpaceFileRecord[]> {
  return removeFiles(db, { uploadedBy: personId });
}

/**
 * Retention: files of each space uploaded before its cutoff (`cutoffOf`)
 * that no hold covers; returns the removed ones for their objects and how
 * many expired files a hold kept.
 */
export async function expireSpaceFiles(
  db: Executor,
  opts: { before: Date; cutoffOf: (space: string) => Promise<Date> },
): Promise<{ removed: SpaceFileRecord[]; held: number }> {
  const spaces = await db
    .selectFrom('space_file')
    .select('space_id')
    .distinct()
    .where('uploaded_at', '<', opts.before)
    .orderBy('space_id')
    .execute();
  const removed: SpaceFileRecord[] = [];
  let held = 0;
  for (const { space_id: space } of spaces) {
    const cutoff = await opts.cutoffOf(space);
    removed.push(...(await removeFiles(db, { spaceId: space, before: cutoff })));
    const kept = await db
      .selectFrom('space_file')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('space_id', '=', space)
      .where('uploaded_at', '<', cutoff)
      .executeTakeFirst();
    held += Number(kept?.n ?? 0);
  }
  return { removed, held };
}
