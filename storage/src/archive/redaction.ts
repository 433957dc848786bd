import type { Redaction } from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import type { ArchiveSigner } from './keys';
import { manifestKey, segmentKey } from './layout';
import { buildManifest, decodeSegment, encodeSegment, redactLine } from './records';

/**
 * Rewrites every segment flagged `redaction_pending`: the lines whose index
 * rows are marked deleted lose their content (their hashes stay), the
 * manifest is rebuilt with the next revision and the deleted numbers, and
 * signed again. Idempotent: a crash anywhere leaves the flag set and the next
 * run redoes the same rewrite.
 */
export async function applyPendingRedactions(deps: {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: ArchiveSigner;
  log: Logger;
}): Promise<number> {
  const { db, objects } = deps;
  const pending = await db
    .selectFrom('archive_segment')
    .select(['space_id', 'first_seq', 'last_seq', 'revision', 'prev_hash'])
    .where('redaction_pending', '=', true)
    .orderBy('space_id')
    .orderBy('first_seq')
    .execute();
  for (const seg of pending) {
    const space = seg.space_id;
    const first = Number(seg.first_seq);
    const last = Number(seg.last_seq);
    const key = segmentKey(space, first, last);
    const bytes = await objects.get(key);
    if (!bytes) {
      deps.log.error({ space, first, last }, 'segment to redact is missing');
      continue;
    }
    const deleted = await db
      .selectFrom('archive_record')
      .select(['seq', 'deleted_at', 'deleted_reason', 'tombstone_seq'])
      .where('space_id', '=', space)
      .where('seq', '>=', first)
      .where('seq', '<=', last)
      .where('deleted_at', 'is not', null)
      .execute();
    const bySeq = new Map(deleted.map((d) => [Number(d.seq), d]));
    const lines = decodeSegment(bytes).map((line) => {
      const d = bySeq.get(line.seq);
      if (!d || !line.content) return line;
      const redaction: Redaction = {
        reason: d.deleted_reason ?? 'retention',
        at: new Date(d.deleted_at!).toISOString(),
        tombstone: Number(d.tombstone_seq),
      };
      return redactLine(line, redaction);
    });
    const rewritten = encodeSegment(lines);
    const revision = seg.revision + 1;
    const manifest = buildManifest(lines, rewritten, {
      key,
      prevHash: seg.prev_hash,
      revision,
      sealedAt: new Date(),
    });
    const signed = { manifest, signature: deps.signer.signCanonical(manifest) };
    await objects.put(key, rewritten, 'application/x-ndjson');
    await objects.put(
      manifestKey(space, first, last),
      new TextEncoder().encode(JSON.stringify(signed)),
      'application/json',
    );
    await db
      .updateTable('archive_segment')
      .set({ sha256: manifest.segment.sha256, revision, redaction_pending: false })
      .where('space_id', '=', space)
      .where('first_seq', '=', first)
      .execute();
  }
  return pending.length;
}
