import type { ArchiveLine, ArchiveSearch, RecordView } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { fromBase64 } from './canonical';
import { heldCondition } from './cases';
import { manifestKey, segmentKey } from './layout';
import type { NameResolver } from './names';
import { decodeSegment } from './records';

/** An index row as search returns it. */
export interface IndexHit {
  space: string;
  seq: number;
  kind: string;
  actor: string | null;
  subject: string | null;
  at: Date;
  segmentFirst: number;
  deleted: 'retention' | 'erasure' | null;
  held: boolean;
}

/**
 * Finds records in the index by person (actor or person the act was about),
 * space, kind and period, oldest first, resuming after a `space:seq` cursor.
 */
export async function searchIndex(db: Kysely<Schema>, q: ArchiveSearch): Promise<IndexHit[]> {
  let query = indexQuery(db).orderBy('r.at').orderBy('r.space_id').orderBy('r.seq').limit(q.limit);
  if (q.person) query = query.where(sql<boolean>`r.people @> ARRAY[${q.person}]::text[]`);
  if (q.space) query = query.where('r.space_id', '=', q.space);
  if (q.kind) query = query.where('r.kind', '=', q.kind);
  if (q.from) query = query.where('r.at', '>=', q.from);
  if (q.to) query = query.where('r.at', '<=', q.to);
  if (q.after) {
    const cursor = parseCursor(q.after);
    if (cursor) {
      query = query.where(
        sql<boolean>`(r.at, r.space_id, r.seq) > (${cursor.at}, ${cursor.space}, ${cursor.seq})`,
      );
    }
  }
  return (await query.execute()).map(hitOf);
}

/** One record's index row, or null. */
export async function findIndexHit(
  db: Kysely<Schema>,
  space: string,
  seq: number,
): Promise<IndexHit | null> {
  const row = await indexQuery(db)
    .where('r.space_id', '=', space)
    .where('r.seq', '=', seq)
    .executeTakeFirst();
  return row ? hitOf(row) : null;
}

function indexQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('archive_record as r')
    .select([
      'r.space_id',
      'r.seq',
      'r.kind',
      'r.actor',
      'r.subject',
      'r.at',
      'r.segment_first',
      'r.deleted_reason',
    ])
    .select(heldCondition('r').as('held'));
}

function hitOf(r: {
  space_id: string;
  seq: number | string;
  kind: string;
  actor: string | null;
  subject: string | null;
  at: Date;
  segment_first: number | string;
  deleted_reason: 'retention' | 'erasure' | null;
  held: boolean;
}): IndexHit {
  return {
    space: r.space_id,
    seq: Number(r.seq),
    kind: r.kind,
    actor: r.actor,
    subject: r.subject,
    at: new Date(r.at),
    segmentFirst: Number(r.segment_first),
    deleted: r.deleted_reason,
    held: Boolean(r.held),
  };
}

/** The cursor after a hit, for the next page. */
export function cursorOf(hit: IndexHit): string {
  return `${hit.at.toISOString()}|${hit.space}|${hit.seq}`;
}

function parseCursor(text: string): { at: Date; space: string; seq: number } | null {
  const [at, space, seq] = text.split('|');
  const date = new Date(at ?? '');
  if (!space || !seq || Number.isNaN(date.getTime()) || !/^\d+$/.test(seq)) return null;
  return { at: date, space, seq: Number(seq) };
}

/** Reads segments once each, for several records. */
export class SegmentReader {
  readonly #cache = new Map<string, Promise<Map<number, ArchiveLine>>>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly objects: ObjectStore,
  ) {}

  /** The line of a record, or null when its segment is missing. */
  async line(space: string, segmentFirst: number, seq: number): Promise<ArchiveLine | null> {
    const key = `${space}/${segmentFirst}`;
    let lines = this.#cache.get(key);
    if (!lines) {
      lines = this.#load(space, segmentFirst);
      this.#cache.set(key, lines);
    }
    return (await lines).get(seq) ?? null;
  }

  async #load(space: string, first: number): Promise<Map<number, ArchiveLine>> {
    const segment = await this.db
      .selectFrom('archive_segment')
      .select('last_seq')
      .where('space_id', '=', space)
      .where('first_seq', '=', first)
      .executeTakeFirst();
    if (!segment) return new Map();
    const bytes = await this.objects.get(segmentKey(space, first, Number(segment.last_seq)));
    if (!bytes) return new Map();
    return new Map(decodeSegment(bytes).map((l) => [l.seq, l]));
  }

  /** The keys of a segment and its manifest. */
  static keys(space: string, first: number, last: number) {
    return { segment: segmentKey(space, first, last), manifest: manifestKey(space, first, last) };
  }
}

/** Turns index hits into readable records: content from the segments, names resolved now. */
export async function viewRecords(
  reader: SegmentReader,
  names: NameResolver,
  hits: readonly IndexHit[],
): Promise<RecordView[]> {
  const lines = await Promise.all(hits.map((h) => reader.line(h.space, h.segmentFirst, h.seq)));
  const people = new Set<string>();
  for (const [i, hit] of hits.entries()) {
    if (hit.actor) people.add(hit.actor);
    for (const key of ['target', 'person'] as const) {
      const id = lines[i]?.content?.payload[key];
      if (typeof id === 'string') people.add(id);
    }
  }
  const resolved = await names([...people]);
  return hits.map((hit, i) => {
    const content = lines[i]?.content ?? null;
    return {
      space: hit.space,
      seq: hit.seq,
      kind: hit.kind,
      at: hit.at.toISOString(),
      actor: hit.actor,
      actorName: hit.actor ? (resolved.get(hit.actor) ?? null) : null,
      subject: hit.subject,
      payload: content ? withNames(content.payload, resolved) : null,
      bodyBytes: content?.body ? fromBase64(content.body).byteLength : null,
      archived: true,
      deleted: hit.deleted,
      held: hit.held,
    };
  });
}

/** The payload with `targetName` (`personName`) beside a `target` (`person`) id the directory knows. */
function withNames(payload: Record<string, unknown>, names: Map<string, string>) {
  const out = { ...payload };
  for (const [key, named] of [
    ['target', 'targetName'],
    ['person', 'personName'],
  ] as const) {
    const id = payload[key];
    if (typeof id === 'string' && names.has(id)) out[named] = names.get(id);
  }
  return out;
}
