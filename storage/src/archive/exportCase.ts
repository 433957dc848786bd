import {
  type ArchiveLine,
  type ExportView,
  GENESIS_HASH,
  type HoldView,
  PreauError,
} from '@preau/protocol';
import { type DocRenderers, docImageUrl, plainRenderers } from '@preau/protocol/docs-model';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import { docFilesOfSpace } from '../docs/files';
import type { ObjectStore } from '../objects/ObjectStore';
import { type Auditor, appendAudit, readAudit } from './audit';
import { BUNDLE, type BundleManifest } from './bundle';
import { canonicalJson } from './canonical';
import { getCase, holdsInForce, listHolds } from './cases';
import {
  chatTranscript,
  type DerivedFile,
  rebuildDocuments,
  recordsCsv,
  type ScopedLine,
} from './evidence';
import { newArchiveId } from './ids';
import { type ArchiveSigner, archivePublicKeys } from './keys';
import {
  bundleDocImagePath,
  bundleManifestPath,
  bundleSegmentPath,
  exportKey,
  manifestKey,
  parseBundleDocImagePath,
  segmentKey,
} from './layout';
import type { NameResolver } from './names';
import { drainForExport, pendingInHolds } from './pending';
import { type CheckedSegment, checkContinuity, verifySegment } from './verifySegment';
import { ZipWriter } from './ZipWriter';

/** What an export needs. */
export interface ExportDeps {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: ArchiveSigner;
  names: NameResolver;
  /** The document engine's renderers (pad → HTML, board → SVG); plain ones otherwise. */
  renderers?: DocRenderers;
  /** Archives what is still in the outbox, so the bundle holds every record made so far. */
  drain?: () => Promise<unknown>;
  /** How long the export waits for another archiver's claim that does not move (default 5 s). */
  waitIdleMs?: number;
}

/** Does a hold cover a record? (The SQL twin is `heldCondition`.) */
export function holdCovers(hold: HoldView, line: ArchiveLine, people: readonly string[]): boolean {
  if (hold.space && hold.space !== line.space) return false;
  if (hold.person && !people.includes(hold.person)) return false;
  const at = new Date(line.at).getTime();
  if (hold.from && at < new Date(hold.from).getTime()) return false;
  if (hold.until && at > new Date(hold.until).getTime()) return false;
  return true;
}

function peopleOfLine(line: ArchiveLine): string[] {
  if (!line.content) return [];
  const p = line.content.payload;
  const extra = ['target', 'person', 'member', 'invited', 'reported']
    .map((k) => p[k])
    .filter((v): v is string => typeof v === 'string');
  return [line.content.actor, ...extra];
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** The spaces a case's active holds reach: named ones, and those where a held person acted. */
async function spacesInScope(db: Kysely<Schema>, holds: readonly HoldView[]): Promise<string[]> {
  const spaces = new Set<string>();
  for (const h of holds) {
    if (h.space) {
      spaces.add(h.space);
      continue;
    }
    let q = db
      .selectFrom('archive_record')
      .select('space_id')
      .distinct()
      .where(sql<boolean>`people @> ARRAY[${h.person}]::text[]`);
    if (h.from) q = q.where('at', '>=', new Date(h.from));
    if (h.until) q = q.where('at', '<=', new Date(h.until));
    for (const r of await q.execute()) spaces.add(r.space_id);
  }
  return [...spaces].sort();
}

/**
 * Exports a sealed evidence bundle for a case: every segment of each space
 * in scope from its first record (so the chain verifies from genesis), the
 * documents rebuilt at the chosen moments, chat transcripts, a table of the
 * records in scope, the verification made now, the chain-of-custody log, the
 * public keys, and a manifest of SHA-256 hashes signed with the archive key.
 * The export is audited before the bundle is built, so the custody log in the
 * bundle includes it.
 */
export async function exportCase(
  deps: ExportDeps,
  who: Auditor,
  caseId: string,
  request: { moments: Date[] },
): Promise<{ view: ExportView; bytes: Uint8Array }> {
  const { db, objects } = deps;
  const kase = await getCase(db, caseId);
  const allHolds = await listHolds(db, caseId);
  // A closed case is exported on the holds in force when it closed.
  const holds = holdsInForce(kase, allHolds);
  if (holds.length === 0) {
    throw new PreauError(
      'conflict',
      'the case has no active hold: its holds define what is exported',
    );
  }
  // What could not be archived (a dead process's claim not yet run out, a
  // failing archive) is not in the bundle: the bundle says so.
  const pending = deps.drain
    ? await drainForExport(db, holds, deps.drain, deps.waitIdleMs)
    : await pendingInHolds(db, holds);
  const exportedAt = new Date();
  const spaces = await spacesInScope(db, holds);
  const until = (space: string) => {
    const ends = holds
      .filter((h) => !h.space || h.space === space)
      .map((h) => (h.until ? new Date(h.until) : exportedAt));
    return new Date(Math.max(...ends.map((d) => d.getTime()), 0));
  };
  const moments =
    request.moments.length > 0 ? [...request.moments].sort((a, b) => +a - +b) : [exportedAt];

  const segmentRows = (
    await Promise.all(
      spaces.map((space) =>
        db
          .selectFrom('archive_segment')
          .select(['space_id', 'first_seq', 'last_seq'])
          .where('space_id', '=', space)
          .where('first_at', '<=', until(space))
          .orderBy('first_seq')
          .execute(),
      ),
    )
  ).flat();

  const exportId = newArchiveId('exp');
  await appendAudit(db, who, {
    action: 'export',
    caseId,
    details: {
      export: exportId,
      spaces,
      segments: segmentRows.length,
      moments: moments.map((m) => m.toISOString()),
    },
  });

  const files = new Map<string, Uint8Array>();
  const keys = await archivePublicKeys(db);
  const checked: CheckedSegment[] = [];
  const linesBySpace = new Map<string, ScopedLine[]>();
  const loaded = await mapLimit(segmentRows, 4, async (row) => {
    const first = Number(row.first_seq);
    const last = Number(row.last_seq);
    const [bytes, manifestBytes] = await Promise.all([
      objects.get(segmentKey(row.space_id, first, last)),
      objects.get(manifestKey(row.space_id, first, last)),
    ]);
    if (!bytes || !manifestBytes) {
      throw new PreauError(
        'unavailable',
        `segment ${row.space_id} ${first}-${last} missing from object storage`,
      );
    }
    return { space: row.space_id, first, last, bytes, manifestBytes };
  });
  for (const s of loaded) {
    const file = bundleSegmentPath(s.space, s.first, s.last);
    const manifestFile = bundleManifestPath(s.space, s.first, s.last);
    files.set(file, s.bytes);
    files.set(manifestFile, s.manifestBytes);
    const check = verifySegment({
      file,
      manifestFile,
      bytes: s.bytes,
      manifestBytes: s.manifestBytes,
      keys,
    });
    checked.push({ ...check, file });
    // The lines were parsed for this export alone: marked in place, not copied.
    const scoped = check.lines as ScopedLine[];
    for (const line of scoped) {
      const people = peopleOfLine(line);
      line.inScope = holds.some((h) => holdCovers(h, line, people));
    }
    const ofSpace = linesBySpace.get(s.space);
    if (ofSpace) for (const line of scoped) ofSpace.push(line);
    else linesBySpace.set(s.space, scoped);
  }

  const allLines = [...linesBySpace.values()].flat();
  const people = new Set<string>();
  for (const l of allLines) for (const p of peopleOfLine(l)) people.add(p);
  const names = await deps.names([...people]);
  const derived: DerivedFile[] = [];
  for (const [space, lines] of linesBySpace) {
    const images = await docImagesOf(deps, space, lines);
    const documents = rebuildDocuments(space, lines, moments, deps.renderers ?? plainRenderers);
    derived.push(...linkImages(documents, images), ...images);
    const transcript = chatTranscript(space, lines, names);
    if (transcript) derived.push(transcript);
    derived.push(...(await sharedFilesOf(deps, space, lines)));
  }
  derived.push(recordsCsv(allLines, names));
  for (const d of derived) files.set(d.path, d.bytes);

  const problems = [
    ...checked.flatMap((c) => c.problems),
    ...checkContinuity(checked, { fromGenesis: true, genesis: GENESIS_HASH }),
  ];
  const inScope = allLines.filter((l) => l.inScope).length;
  const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
  files.set(
    BUNDLE.verification,
    json({
      checkedAt: new Date().toISOString(),
      ok: problems.length === 0,
      segments: checked.map((c) => ({
        file: c.file,
        space: c.space,
        firstSeq: c.firstSeq,
        lastSeq: c.lastSeq,
        records: c.records,
        deleted: c.redacted,
        kid: c.kid,
        ok: c.problems.length === 0,
      })),
      problems,
    }),
  );
  const custody = await readAudit(db, { caseId });
  files.set(
    BUNDLE.custody,
    new TextEncoder().encode(custody.map((e) => `${canonicalJson(e)}\n`).join('')),
  );
  files.set(BUNDLE.keys, json({ keys }));
  const exporterName = (await deps.names([who.id])).get(who.id) ?? null;
  files.set(
    BUNDLE.case,
    json({
      format: 1,
      exportId,
      case: kase,
      holds: allHolds,
      scope: {
        spaces,
        moments: moments.map((m) => m.toISOString()),
        recordsInScope: inScope,
        records: allLines.length,
      },
      // Whole when no act in scope was still waiting to be archived.
      whole: pending.length === 0,
      pending,
      exportedAt: exportedAt.toISOString(),
      exportedBy: { id: who.id, name: exporterName, role: who.role },
    }),
  );
  files.set(BUNDLE.readme, new TextEncoder().encode(readme(kase.reference, exportId)));

  // Segments are stored, not compressed: their bytes in the zip are the bytes
  // that were signed, so any tool can extract them and a damaged byte stays
  // where it is (the verifier then names the record that holds it). Each
  // file is hashed for the manifest as it goes into the zip.
  const zip = new ZipWriter(exportedAt);
  const listed = [...files]
    .map(([path, bytes]) => zip.add(path, bytes, { deflate: !path.startsWith('segments/') }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  files.clear();
  const manifest: BundleManifest = {
    v: 1,
    exportId,
    caseId,
    caseReference: kase.reference,
    createdAt: exportedAt.toISOString(),
    files: listed,
    ...(pending.length > 0 ? { pending } : {}),
  };
  const manifestBytes = new TextEncoder().encode(canonicalJson(manifest));
  zip.add(BUNDLE.manifest, manifestBytes, { deflate: true });
  zip.add(BUNDLE.signature, json(deps.signer.signBytes(manifestBytes)), { deflate: true });
  const { bytes: zipBytes, sha256 } = zip.finish();
  const key = exportKey(caseId, exportId);
  await objects.put(key, zipBytes, 'application/zip');
  const row = await db
    .insertInto('archive_export')
    .values({
      id: exportId,
      case_id: caseId,
      object_key: key,
      sha256,
      size: zipBytes.byteLength,
      records: allLines.length,
      pending: pending.length,
      created_by: who.id,
      created_at: exportedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { view: exportView(row), bytes: zipBytes };
}

/**
 * The shared files of a space (work group, project, class) whose
 * `file.added` records are in scope, as bundle entries under
 * `files/<space>/<fileId>/<name>`: their bytes from object storage, each
 * hashed in the signed manifest like any other entry, so the bundle carries
 * the files themselves and not only their traces.
 *
 * A file deleted later is still given when its object is there (a hold
 * keeps it); a file erased or swept by retention is gone, its traces stay.
 */
async function sharedFilesOf(
  deps: ExportDeps,
  space: string,
  lines: readonly ScopedLine[],
): Promise<DerivedFile[]> {
  const ids = [
    ...new Set(
      lines.flatMap((l) =>
        l.inScope && l.kind === 'file.added' && l.content?.subject ? [l.content.subject] : [],
      ),
    ),
  ];
  if (ids.length === 0) return [];
  const rows = await deps.db
    .selectFrom('space_file')
    .select(['id', 'name', 'object_key'])
    .where('space_id', '=', space)
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  const files: DerivedFile[] = [];
  for (const r of rows) {
    const bytes = await deps.objects.get(r.object_key);
    if (bytes)
      files.push({ path: `files/${space}/${r.id}/${r.name.replace(/[\\/]/g, '_')}`, bytes });
  }
  return files;
}

/**
 * The images placed in a space's pads and boards whose `doc.file.added`
 * records are in scope, as bundle entries under
 * `documents/<space>/<docId>/images/<fileId>.<ext>`: their bytes from object
 * storage, hashed in the signed manifest; the verifier also checks each
 * against the SHA-256 its trace record carries. An image erased or swept by
 * retention is gone; its trace stays.
 */
async function docImagesOf(
  deps: ExportDeps,
  space: string,
  lines: readonly ScopedLine[],
): Promise<DerivedFile[]> {
  const ids = [
    ...new Set(
      lines.flatMap((l) =>
        l.inScope && l.kind === 'doc.file.added' && l.content?.subject ? [l.content.subject] : [],
      ),
    ),
  ];
  const out: DerivedFile[] = [];
  for (const file of await docFilesOfSpace(deps.db, space, ids)) {
    const bytes = await deps.objects.get(file.objectKey);
    if (bytes)
      out.push({ path: bundleDocImagePath(space, file.docId, file.id, file.mimeType), bytes });
  }
  return out;
}

/**
 * Rebuilt documents show their images from the bundle itself: each address
 * Préau served an image at becomes the relative path of its copy beside the
 * rendering (`images/<fileId>.<ext>`), so the page or drawing opens offline.
 */
function linkImages(documents: DerivedFile[], images: readonly DerivedFile[]): DerivedFile[] {
  if (images.length === 0) return documents;
  const decoder = new TextDecoder();
  return documents.map((d) => {
    let text = decoder.decode(d.bytes);
    let changed = false;
    for (const image of images) {
      const where = parseBundleDocImagePath(image.path);
      if (!where || !d.path.startsWith(`documents/${where.space}/${where.docId}/`)) continue;
      const url = docImageUrl(where.docId, where.fileId);
      if (!text.includes(url)) continue;
      text = text.replaceAll(
        url,
        image.path.slice(`documents/${where.space}/${where.docId}/`.length),
      );
      changed = true;
    }
    return changed ? { path: d.path, bytes: new TextEncoder().encode(text) } : d;
  });
}

/** An export row as listed. */
export function exportView(r: {
  id: string;
  case_id: string;
  sha256: string;
  size: number | string;
  records: number;
  pending?: number;
  created_by: string;
  created_at: Date;
}): ExportView {
  return {
    id: r.id,
    caseId: r.case_id,
    sha256: r.sha256,
    size: Number(r.size),
    records: r.records,
    pending: r.pending ?? 0,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

/** A case's exports, newest first. */
export async function listExports(db: Kysely<Schema>, caseId: string): Promise<ExportView[]> {
  const rows = await db
    .selectFrom('archive_export')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(exportView);
}

/** An export's zip from object storage, audited as a download. */
export async function downloadExport(
  db: Kysely<Schema>,
  objects: ObjectStore,
  who: Auditor,
  caseId: string,
  exportId: string,
): Promise<{ bytes: Uint8Array; name: string }> {
  const row = await db
    .selectFrom('archive_export')
    .selectAll()
    .where('id', '=', exportId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new PreauError('not_found', 'no such export');
  const bytes = await objects.get(row.object_key);
  if (!bytes) throw new PreauError('unavailable', 'the bundle is missing from object storage');
  await appendAudit(db, who, {
    action: 'export.download',
    caseId,
    details: { export: exportId, sha256: row.sha256 },
  });
  return { bytes, name: `preau-${caseId}-${exportId}.zip` };
}

function readme(reference: string, exportId: string): string {
  return `Préau — dossier de preuves ${reference} (export ${exportId})

Ce fichier zip est scellé : MANIFEST.json donne l’empreinte SHA-256 de chaque
fichier et MANIFEST.sig.json la signature Ed25519 de MANIFEST.json par la clé
d’archive (keys.json). Chaque segment (segments/) est accompagné de son
manifeste signé ; chaque enregistrement porte l’empreinte du précédent.

Vérifier sans serveur :  ./preau verify ce-fichier.zip
                   ou :  npx tsx storage/src/archive/verify-cli.ts ce-fichier.zip
Ajouter --key cles.json pour vérifier contre des clés publiées par Préau
(/api/archive/keys) plutôt que contre celles du dossier.

Contenu : case.json (dossier, conservations, périmètre), segments/ (traces
brutes), documents/ (pads en HTML, tableaux en SVG, reconstruits aux moments
demandés), transcripts/ (discussions), records.csv (traces du périmètre, noms
résolus à l’export), verification.json (vérification faite à l’export),
custody.jsonl (journal de la chaîne de possession, chaîné par SHA-256).

Préau evidence bundle ${reference} (export ${exportId}). Verify it offline with
\`./preau verify this-file.zip\`; see the French text above for the contents.
`;
}
