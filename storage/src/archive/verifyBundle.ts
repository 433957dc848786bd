import {
  type ArchivePublicKey,
  ArchivePublicKey as ArchivePublicKeySchema,
  AuditEntry,
  GENESIS_HASH,
  Signature,
} from '@preau/protocol';
import { z } from 'zod';
import { checkAuditEntries } from './audit';
import { BUNDLE, BundleManifest } from './bundle';
import { sha256Hex } from './canonical';
import { keyFingerprint, verifySignature } from './keys';
import { parseBundleDocImagePath } from './layout';
import { unzipEntries } from './unzip';
import { type CheckedSegment, checkContinuity, type Problem, verifySegment } from './verifySegment';

/** What verifying a bundle found. */
export interface BundleReport {
  ok: boolean;
  caseReference: string | null;
  exportId: string | null;
  createdAt: string | null;
  kid: string | null;
  /** Whether the key came from the bundle itself or from keys the verifier was given. */
  keySource: 'bundle' | 'trusted';
  /** The signing key's fingerprint (see keyFingerprint), when the key is known. */
  fingerprint: string | null;
  /**
   * What was proved: `verified` (whole, and signed by one of the keys given),
   * `unverified-signer` (whole and consistent, but signed by a key the bundle
   * brought itself: anyone could have made it), `failed` (something is wrong).
   */
  verdict: 'verified' | 'unverified-signer' | 'failed';
  files: number;
  segments: number;
  records: number;
  deleted: number;
  custodyEntries: number;
  /** Images of pads and boards checked against the SHA-256 their trace records carry. */
  images: number;
  /**
   * Acts in scope the bundle states were still waiting to be archived when
   * it was made (not in it): the bundle is then consistent but not whole.
   */
  pending: number;
  problems: Problem[];
}

const KeysFile = z.object({ keys: z.array(ArchivePublicKeySchema) });

function parseJson<T extends z.ZodType>(
  schema: T,
  bytes: Uint8Array | undefined,
): z.infer<T> | null {
  if (!bytes) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Verifies an evidence bundle with nothing but its bytes (and, optionally,
 * keys obtained from Préau beforehand; without them the signer is only
 * consistent, not proved, see `verdict`): the manifest's signature, every
 * file's SHA-256, no file added, every segment against its signed manifest
 * record by record, each space's chain from its first record, and the
 * custody log's hashes. Problems are in the order a reader meets them, so the
 * first one is the first broken place.
 */
export function verifyBundle(
  zip: Uint8Array,
  opts: { trustedKeys?: ArchivePublicKey[] } = {},
): BundleReport {
  const report: BundleReport = {
    ok: false,
    caseReference: null,
    exportId: null,
    createdAt: null,
    kid: null,
    keySource: opts.trustedKeys ? 'trusted' : 'bundle',
    fingerprint: null,
    verdict: 'failed',
    files: 0,
    segments: 0,
    records: 0,
    deleted: 0,
    custodyEntries: 0,
    images: 0,
    pending: 0,
    problems: [],
  };
  const problems = report.problems;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipEntries(zip);
  } catch {
    problems.push({ file: '(bundle)', reason: 'not a readable zip file' });
    return report;
  }
  const bundleKeys = parseJson(KeysFile, entries[BUNDLE.keys])?.keys;
  const keys = opts.trustedKeys ?? bundleKeys ?? [];
  if (!opts.trustedKeys && !bundleKeys)
    problems.push({ file: BUNDLE.keys, reason: 'missing or malformed' });

  const manifestBytes = entries[BUNDLE.manifest];
  const manifest = parseJson(BundleManifest, manifestBytes);
  const signature = parseJson(Signature, entries[BUNDLE.signature]);
  if (!manifest || !manifestBytes) {
    problems.push({ file: BUNDLE.manifest, reason: 'missing or malformed' });
    return report;
  }
  Object.assign(report, {
    caseReference: manifest.caseReference,
    exportId: manifest.exportId,
    createdAt: manifest.createdAt,
    kid: signature?.kid ?? null,
    pending: manifest.pending?.length ?? 0,
  });
  const signingKey = signature && keys.find((k) => k.kid === signature.kid);
  report.fingerprint = signingKey ? keyFingerprint(signingKey) : null;
  if (!signature) problems.push({ file: BUNDLE.signature, reason: 'missing or malformed' });
  else if (!signingKey) {
    problems.push({
      file: BUNDLE.signature,
      reason: `signed by an unknown key (${signature.kid}): not among the keys ${opts.trustedKeys ? 'given' : 'in the bundle'}`,
    });
  } else if (!verifySignature(keys, manifestBytes, signature)) {
    problems.push({
      file: BUNDLE.signature,
      reason: `signature of ${BUNDLE.manifest} invalid (key ${signature.kid})`,
    });
  }

  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  // Every entry is the manifest, its signature, or listed: a folder-like name
  // is no exception (a zip entry named `x/` may still hold bytes).
  for (const name of Object.keys(entries).sort()) {
    if (name === BUNDLE.manifest || name === BUNDLE.signature) continue;
    if (!listed.has(name))
      problems.push({ file: name, reason: 'entry not listed in the manifest (added)' });
  }

  const checked: CheckedSegment[] = [];
  for (const file of manifest.files) {
    report.files += 1;
    const bytes = entries[file.path];
    if (!bytes) {
      problems.push({ file: file.path, reason: 'file listed in the manifest is missing' });
      continue;
    }
    const hashOk = sha256Hex(bytes) === file.sha256 && bytes.byteLength === file.size;
    if (file.path.startsWith('segments/') && file.path.endsWith('.jsonl')) {
      const manifestFile = file.path.replace(/\.jsonl$/, '.manifest.json');
      const check = verifySegment({
        file: file.path,
        manifestFile,
        bytes,
        manifestBytes: entries[manifestFile] ?? new Uint8Array(),
        keys,
        // Only the images' records are read again (checkDocImages).
        keep: (line) => line.kind === 'doc.file.added',
      });
      checked.push({ ...check, file: file.path });
      report.segments += 1;
      report.records += check.records;
      report.deleted += check.redacted;
      // A record-level problem names the place better than the file's hash does.
      problems.push(...check.problems);
      if (!hashOk && check.problems.length === 0) {
        problems.push({ file: file.path, reason: 'SHA-256 differs from the manifest' });
      }
      continue;
    }
    if (!hashOk) problems.push({ file: file.path, reason: 'SHA-256 differs from the manifest' });
    if (file.path === BUNDLE.custody) {
      const lines = new TextDecoder().decode(bytes).split('\n').filter(Boolean);
      const custody: AuditEntry[] = [];
      for (const [i, line] of lines.entries()) {
        const parsed = (() => {
          try {
            return AuditEntry.safeParse(JSON.parse(line));
          } catch {
            return null;
          }
        })();
        if (!parsed?.success) {
          problems.push({ file: file.path, line: i + 1, reason: 'custody entry unreadable' });
          continue;
        }
        custody.push(parsed.data);
      }
      report.custodyEntries = custody.length;
      const audit = checkAuditEntries(custody);
      if (audit.firstBroken) {
        problems.push({
          file: file.path,
          line: custody.findIndex((e) => e.seq === audit.firstBroken!.seq) + 1,
          reason: `custody entry ${audit.firstBroken.seq}: ${audit.firstBroken.reason}`,
        });
      }
    }
  }
  problems.push(...checkContinuity(checked, { fromGenesis: true, genesis: GENESIS_HASH }));
  report.images = checkDocImages(manifest, entries, checked, problems);
  report.ok = problems.length === 0;
  report.verdict = !report.ok ? 'failed' : opts.trustedKeys ? 'verified' : 'unverified-signer';
  return report;
}

/**
 * Each image of a pad or a board in the bundle against the SHA-256 that its
 * `doc.file.added` record (sealed in a segment) carries: the manifest proves
 * the bytes are the ones exported, this proves they are the ones uploaded.
 */
function checkDocImages(
  manifest: BundleManifest,
  entries: Record<string, Uint8Array>,
  checked: readonly CheckedSegment[],
  problems: Problem[],
): number {
  const traced = new Map<string, string>();
  for (const segment of checked) {
    for (const line of segment.lines) {
      const sha = line.content?.payload.sha256;
      if (line.kind === 'doc.file.added' && line.content?.subject && typeof sha === 'string')
        traced.set(`${line.space}/${line.content.subject}`, sha);
    }
  }
  let images = 0;
  for (const file of manifest.files) {
    const image = parseBundleDocImagePath(file.path);
    const bytes = entries[file.path];
    if (!image || !bytes) continue;
    images += 1;
    const sha = traced.get(`${image.space}/${image.fileId}`);
    if (!sha) {
      problems.push({ file: file.path, reason: 'no doc.file.added record names this image' });
    } else if (sha256Hex(bytes) !== sha) {
      problems.push({ file: file.path, reason: 'SHA-256 differs from the one traced at upload' });
    }
  }
  return images;
}

/** The first broken place, in words: file, then record and line when one is to blame. */
export function describeProblem(p: Problem): string {
  const where = [
    p.file,
    p.seq !== undefined ? `record ${p.seq}` : null,
    p.line !== undefined ? `line ${p.line}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `${where}: ${p.reason}`;
}
