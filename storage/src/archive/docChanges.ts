import type { DocChange } from '@preau/protocol';
import { applyAndDescribe, applyUpdate, emptyDoc, hasPending } from '@preau/protocol/docs-model';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { fromBase64 } from './canonical';
import type { IndexHit, SegmentReader } from './search';

// A doc.update's body is a Yjs delta: unreadable as such. To tell the
// archivist what it changed, the document is rebuilt from the archived
// updates before it, and the states before and after are compared (the
// comparison is the document model's: applyAndDescribe).

const keyOf = (space: string, seq: number) => `${space}:${seq}`;

/**
 * What each `doc.update` among `hits` changed, by `space:seq`: the
 * document's title then, and the text or elements it added and removed.
 * Each document is rebuilt once, from its first archived update to the
 * last one asked about.
 */
export async function describeDocUpdates(
  db: Kysely<Schema>,
  reader: SegmentReader,
  hits: readonly IndexHit[],
): Promise<Map<string, DocChange>> {
  const wanted = new Map<string, { space: string; docId: string; seqs: Set<number> }>();
  for (const hit of hits) {
    if (hit.kind !== 'doc.update' || !hit.subject || hit.deleted) continue;
    const key = `${hit.space}/${hit.subject}`;
    const entry = wanted.get(key) ?? { space: hit.space, docId: hit.subject, seqs: new Set() };
    entry.seqs.add(hit.seq);
    wanted.set(key, entry);
  }
  const out = new Map<string, DocChange>();
  for (const { space, docId, seqs } of wanted.values()) {
    for (const [seq, change] of await describeDoc(db, reader, space, docId, seqs)) {
      out.set(keyOf(space, seq), change);
    }
  }
  return out;
}

async function describeDoc(
  db: Kysely<Schema>,
  reader: SegmentReader,
  space: string,
  docId: string,
  seqs: ReadonlySet<number>,
): Promise<Map<number, DocChange>> {
  const last = Math.max(...seqs);
  const rows = await db
    .selectFrom('archive_record')
    .select(['seq', 'segment_first'])
    .where('space_id', '=', space)
    .where('subject', '=', docId)
    .where('kind', 'in', ['doc.created', 'doc.renamed', 'doc.update'])
    .where('seq', '<=', last)
    .orderBy('seq')
    .execute();
  const lines = await Promise.all(
    rows.map((r) => reader.line(space, Number(r.segment_first), Number(r.seq))),
  );
  // The docs table knows the kind and the current title when the archive lost them.
  const stored = await db
    .selectFrom('doc')
    .select(['kind', 'title'])
    .where('id', '=', docId)
    .executeTakeFirst();
  let kind: 'pad' | 'board' | null = stored?.kind ?? null;
  let title: string | null = null;
  let broken = false;
  const out = new Map<number, DocChange>();
  const doc = emptyDoc(true);
  try {
    for (const line of lines) {
      if (!line) continue;
      const payload = line.content?.payload ?? {};
      if (line.kind === 'doc.created') {
        if (payload.kind === 'pad' || payload.kind === 'board') kind = payload.kind;
        if (typeof payload.title === 'string') title = payload.title;
      } else if (line.kind === 'doc.renamed' && typeof payload.to === 'string') {
        title = payload.to;
      } else if (line.kind === 'doc.update') {
        const then = { kind, title: title ?? stored?.title ?? null, broken };
        // Only the updates asked about are compared; the others are applied.
        const body = line.content?.body ? fromBase64(line.content.body) : null;
        if (seqs.has(line.seq)) {
          out.set(
            line.seq,
            body ? applyAndDescribe(doc, body, then) : { doc: 'unknown', title: then.title },
          );
        } else if (body) applyUpdate(doc, body);
        // An update whose content is gone leaves every later one unreadable.
        if (!body || hasPending(doc)) broken = true;
      }
    }
  } finally {
    doc.destroy();
  }
  return out;
}
