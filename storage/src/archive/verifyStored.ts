import type { ArchivePublicKey } from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { manifestKey, parseSegmentKey, segmentsPrefix } from './layout';
import { type SegmentCheck, verifySegment } from './verifySegment';

/**
 * Checks a space's whole archive as stored: every segment against its signed
 * manifest, each chained to the one before, and the chain head in the
 * database. Used by tests and by the archivist's chain verification.
 */
export async function verifyStoredSpace(
  db: Kysely<Schema>,
  objects: ObjectStore,
  space: string,
  keys: readonly ArchivePublicKey[],
): Promise<{
  segments: SegmentCheck[];
  records: number;
  problems: string[];
  seqs: number[];
}> {
  const keysInStore = (await objects.list(segmentsPrefix(space))).filter((k) =>
    k.endsWith('.jsonl'),
  );
  const segments: SegmentCheck[] = [];
  const problems: string[] = [];
  const seqs: number[] = [];
  let prev: string | null = null;
  let expectedFirst = 1;
  for (const key of keysInStore) {
    const range = parseSegmentKey(key)!;
    const mKey = manifestKey(space, range.first, range.last);
    const [bytes, manifestBytes] = await Promise.all([objects.get(key), objects.get(mKey)]);
    if (!bytes || !manifestBytes) {
      problems.push(`${key}: missing segment or manifest`);
      continue;
    }
    const check = verifySegment({ file: key, manifestFile: mKey, bytes, manifestBytes, keys });
    segments.push(check);
    for (const p of check.problems) {
      problems.push(`${p.file}${p.seq ? ` record ${p.seq}` : ''}: ${p.reason}`);
    }
    if (range.first !== expectedFirst)
      problems.push(`${key}: expected to start at ${expectedFirst}`);
    if (prev && check.prevHash !== prev) problems.push(`${key}: not chained to the segment before`);
    prev = check.lastHash;
    expectedFirst = range.last + 1;
    seqs.push(...check.lines.map((l) => l.seq));
  }
  const head = await db
    .selectFrom('archive_space')
    .select(['last_seq', 'last_hash'])
    .where('space_id', '=', space)
    .executeTakeFirst();
  if (head && Number(head.last_seq) > 0 && head.last_hash !== prev) {
    problems.push(`chain head in the database differs from the last segment`);
  }
  return { segments, records: seqs.length, problems, seqs };
}
