import { sql } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { Executor } from '../identity/directory';

/** A presentation of a PDF in a live session, as stored, with its file's name. */
export interface StoredPresentation {
  id: string;
  sessionId: string;
  spaceId: string;
  fileId: string;
  /** The file's name (for everyone's view). */
  name: string;
  pages: number;
  page: number;
  controller: string | null;
  openedBy: string;
  openedAt: Date;
}

/** A mark drawn on a presented page; `shape` is the protocol's `MarkShape`, unchecked here. */
export interface StoredMark {
  id: string;
  spaceId: string;
  fileId: string;
  page: number;
  shape: unknown;
  authorId: string;
  sessionId: string | null;
  createdAt: Date;
}

/** Records a presentation opened (in the transaction of its trace). */
export async function insertPresentation(
  db: Executor,
  p: Omit<StoredPresentation, 'name'>,
): Promise<void> {
  await db
    .insertInto('live_presentation')
    .values({
      id: p.id,
      session_id: p.sessionId,
      space_id: p.spaceId,
      file_id: p.fileId,
      pages: p.pages,
      page: p.page,
      controller: p.controller,
      opened_by: p.openedBy,
      opened_at: p.openedAt,
    })
    .execute();
}

/** The presentation a session shows now (its file not deleted), or null. */
export async function openPresentationOf(
  db: Executor,
  sessionId: string,
): Promise<StoredPresentation | null> {
  const row = await db
    .selectFrom('live_presentation as p')
    .innerJoin('space_file as f', 'f.id', 'p.file_id')
    .selectAll('p')
    .select('f.name')
    .where('p.session_id', '=', sessionId)
    .where('p.closed_at', 'is', null)
    .where('f.deleted_at', 'is', null)
    .orderBy('p.opened_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    sessionId: row.session_id,
    spaceId: row.space_id,
    fileId: row.file_id,
    name: row.name,
    pages: row.pages,
    page: row.page,
    controller: row.controller,
    openedBy: row.opened_by,
    openedAt: new Date(row.opened_at),
  };
}

/** Changes what a presentation shows or who controls it. */
export async function updatePresentation(
  db: Executor,
  id: string,
  change: { page?: number; controller?: string | null },
): Promise<void> {
  await db.updateTable('live_presentation').set(change).where('id', '=', id).execute();
}

/** Closes a session's open presentations; answers the ids closed. */
export async function closePresentationsOf(
  db: Executor,
  sessionId: string,
  at: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('live_presentation')
    .set({ closed_at: at })
    .where('session_id', '=', sessionId)
    .where('closed_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Records a mark (in the transaction of its trace). */
export async function insertMark(db: Executor, m: StoredMark): Promise<void> {
  await db
    .insertInto('presentation_mark')
    .values({
      id: m.id,
      space_id: m.spaceId,
      file_id: m.fileId,
      page: m.page,
      shape: JSON.stringify(m.shape),
      author_id: m.authorId,
      session_id: m.sessionId,
      created_at: m.createdAt,
    })
    .execute();
}

/** The marks of one page of a file, oldest first. */
export async function marksOfPage(
  db: Executor,
  fileId: string,
  page: number,
): Promise<StoredMark[]> {
  const rows = await db
    .selectFrom('presentation_mark')
    .selectAll()
    .where('file_id', '=', fileId)
    .where('page', '=', page)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toMark);
}

/** Every mark of a file, by page then time (a file's annotations outside a session). */
export async function marksOfFile(db: Executor, fileId: string): Promise<StoredMark[]> {
  const rows = await db
    .selectFrom('presentation_mark')
    .selectAll()
    .where('file_id', '=', fileId)
    .orderBy('page')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toMark);
}

/** Removes a page's marks (their traces stay in the archive); answers how many. */
export async function clearMarks(db: Executor, fileId: string, page: number): Promise<number> {
  const done = await db
    .deleteFrom('presentation_mark')
    .where('file_id', '=', fileId)
    .where('page', '=', page)
    .executeTakeFirst();
  return Number(done.numDeletedRows);
}

/** Erasure: removes the marks a person drew that no legal hold covers. */
export async function eraseMarksOf(db: Executor, personId: string): Promise<number> {
  const done = await db
    .deleteFrom('presentation_mark')
    .where('author_id', '=', personId)
    .where(
      sql<boolean>`NOT ${holdCoversAct(sql.ref('presentation_mark.space_id'), sql.ref('presentation_mark.author_id'), sql.ref('presentation_mark.created_at'))}`,
    )
    .executeTakeFirst();
  return Number(done.numDeletedRows);
}

type MarkRow = {
  id: string;
  space_id: string;
  file_id: string;
  page: number;
  shape: unknown;
  author_id: string;
  session_id: string | null;
  created_at: Date | string;
};

function toMark(r: MarkRow): StoredMark {
  return {
    id: r.id,
    spaceId: r.space_id,
    fileId: r.file_id,
    page: r.page,
    // jsonb comes back parsed from some drivers and as text from others.
    shape: typeof r.shape === 'string' ? (JSON.parse(r.shape) as unknown) : r.shape,
    authorId: r.author_id,
    sessionId: r.session_id,
    createdAt: new Date(r.created_at),
  };
}
