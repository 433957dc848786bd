import { createHash } from 'node:crypto';
import { ArchiveSearch } from '@preau/protocol';
import {
  boardFilesMap,
  captureUpdate,
  docImageUrl,
  emptyDoc,
  fullRenderers,
  pushBoardElement,
} from '@preau/protocol/docs-model';
import { silentLogger } from '@preau/protocol/server';
import { unzipSync, zipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRig } from '../../../tests/support/archive';
import type { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { createDoc } from '../docs/documents';
import { addDocFile, docFileKey, findDocFile } from '../docs/files';
import { recordTrace } from '../trace/recordTrace';
import { ArchiveDesk } from './ArchiveDesk';
import { Archiver } from './Archiver';
import { BUNDLE, BundleManifest } from './bundle';
import { canonicalJson, sha256Hex } from './canonical';
import { erasePerson } from './erasure';
import { listExports } from './exportCase';
import { loadArchiveSigner } from './keys';
import { directoryNames } from './names';
import { verifyBundle } from './verifyBundle';

const SPACE = 'group_wholebundle';
const OTHER = 'group_wholebundle_held';
const archivist = { id: 'arch1', role: 'archivist' as const };

/** A small PNG-looking image: the PNG signature, then bytes of its own. */
function png(tag: string): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...new TextEncoder().encode(tag)]);
}

// Images placed in pads and boards travel in a case's bundle with the hash
// traced at upload, go with their author's erasure; an export made while
// acts in scope still wait in the outbox (a dead archiver's claim not run
// out) names them, and the next one, once the claim expired, holds them.
describe('a whole evidence bundle: document images and acts still waiting', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let archiver: Archiver;
  let desk: ArchiveDesk;
  let caseId: string;
  let boardId: string;

  /** Stores an image as the documents service does: bytes, then row and trace in one transaction. */
  async function upload(space: string, docId: string, id: string, person: string) {
    const bytes = png(`${id} by ${person}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await s3.store.put(docFileKey(docId, id), bytes, 'image/png');
    await database.db.transaction().execute(async (tx) => {
      await addDocFile(tx, {
        id,
        docId,
        mimeType: 'image/png',
        size: bytes.byteLength,
        uploadedBy: person,
        sha256,
      });
      await recordTrace(tx, {
        actor: person,
        kind: 'doc.file.added',
        space,
        subject: id,
        payload: { doc: docId, mimeType: 'image/png', size: bytes.byteLength, sha256 },
      });
    });
    return bytes;
  }

  /** A chat message of pLea's in the space, as the chat traces it. */
  const chat = (subject: string, text: string) =>
    recordTrace(database.db, {
      actor: 'pLea',
      kind: 'chat.message',
      space: SPACE,
      subject,
      payload: { text },
    });

  /** Another node's archiver, slowed: `segmentMax` records a segment, `pauseMs` between them. */
  const otherArchiver = async (segmentMax: number, pauseMs: number) =>
    new Archiver({
      db: database.db,
      objects: s3.store,
      signer: await loadArchiveSigner(database.db),
      log: silentLogger(),
      segmentMax,
      pauseMs,
    });

  /** Resolves once an archiver holds the space's claim. */
  const claimed = () =>
    expect
      .poll(async () => {
        const row = await database.db
          .selectFrom('archive_space')
          .select('lease_owner')
          .where('space_id', '=', SPACE)
          .executeTakeFirst();
        return row?.lease_owner ?? null;
      })
      .not.toBeNull();

  /** The sealed lines of the space's segments in a bundle, as one text. */
  const sealedLines = (bundle: Uint8Array) =>
    Object.entries(unzipSync(bundle))
      .filter(([p]) => p.startsWith(`segments/${SPACE}/`) && p.endsWith('.jsonl'))
      .map(([, b]) => new TextDecoder().decode(b))
      .join('');

  beforeAll(async () => {
    ({ database, s3, archiver } = await startArchiveRig(
      () => openDatabase({ memory: true }, silentLogger()),
      50,
    ));
    const { db } = database;
    desk = new ArchiveDesk({
      db,
      objects: s3.store,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
      drain: () => archiver.drain(),
      renderers: fullRenderers,
    });
    boardId = (
      await createDoc(db, { space: SPACE, kind: 'board', title: 'Affiche', actor: 'pLea' })
    ).id;
    const kase = await desk.openCase(archivist, {
      reference: 'PV-ENTIER',
      legalBasis: 'Réquisition',
      authority: 'Parquet',
      description: '',
    });
    caseId = kase.id;
    await desk.placeHold(archivist, caseId, {
      space: SPACE,
      person: undefined,
      from: undefined,
      until: undefined,
    });
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
  });

  it('exports each image with the hash traced at upload; verify refuses altered bytes, even re-signed', async () => {
    const bytes = await upload(SPACE, boardId, 'f_affiche', 'pLea');
    // The board shows it (an Excalidraw image element and its file reference).
    const update = captureUpdate(emptyDoc(), (doc) => {
      boardFilesMap(doc).set('x1', {
        id: 'x1',
        mimeType: 'image/png',
        url: docImageUrl(boardId, 'f_affiche'),
      });
      pushBoardElement(doc, 'a0', {
        id: 'el1',
        type: 'image',
        fileId: 'x1',
        x: 0,
        y: 0,
        width: 40,
        height: 30,
      });
    });
    await recordTrace(database.db, {
      actor: 'pLea',
      kind: 'doc.update',
      space: SPACE,
      subject: boardId,
      payload: { bytes: update.byteLength },
      body: update as Uint8Array<ArrayBuffer>,
    });
    const { bytes: zip } = await desk.export(archivist, caseId, []);
    const report = verifyBundle(zip);
    expect(report.problems).toEqual([]);
    expect(report.images).toBe(1);
    expect(report.pending).toBe(0);
    const entries = unzipSync(zip);
    const path = `documents/${SPACE}/${boardId}/images/f_affiche.png`;
    expect(entries[path]).toEqual(bytes);
    const manifest = BundleManifest.parse(
      JSON.parse(new TextDecoder().decode(entries[BUNDLE.manifest])),
    );
    expect(manifest.files.find((f) => f.path === path)?.sha256).toBe(sha256Hex(bytes));
    // The rebuilt board shows the copy beside it, not Préau's address.
    const [svg] = Object.entries(entries).filter(
      ([p]) => p.startsWith(`documents/${SPACE}/${boardId}/`) && p.endsWith('.svg'),
    );
    expect(new TextDecoder().decode(svg![1])).toContain('href="images/f_affiche.png"');
    expect(JSON.parse(new TextDecoder().decode(entries[BUNDLE.case]))).toMatchObject({
      whole: true,
      pending: [],
    });

    // One byte of the image changed: the manifest's hash no longer matches.
    const altered = { ...entries, [path]: png('f_affiche retouchée') };
    const broken = verifyBundle(zipSync(altered));
    expect(broken.ok).toBe(false);
    expect(broken.problems.map((p) => p.file)).toContain(path);

    // The same change with a manifest rehashed and signed again by the real
    // key still fails: the image is not the one whose hash was traced at upload.
    const signer = await loadArchiveSigner(database.db);
    const rehashed = {
      ...manifest,
      files: manifest.files.map((f) =>
        f.path === path
          ? { ...f, sha256: sha256Hex(altered[path]!), size: altered[path]!.byteLength }
          : f,
      ),
    };
    const manifestBytes = new TextEncoder().encode(canonicalJson(rehashed));
    const resigned = zipSync({
      ...altered,
      [BUNDLE.manifest]: manifestBytes,
      [BUNDLE.signature]: new TextEncoder().encode(JSON.stringify(signer.signBytes(manifestBytes))),
    });
    const forged = verifyBundle(resigned);
    expect(forged.ok).toBe(false);
    expect(forged.problems).toEqual([
      { file: path, reason: 'SHA-256 differs from the one traced at upload' },
    ]);
  });

  it('states the acts still waiting behind a dead archiver’s claim, then holds them once it ran out', async () => {
    const { db } = database;
    await archiver.drain();
    const act = await chat('m_after_crash', 'Message acquitté juste avant la panne');
    // A process that died while archiving this space: its 30 s claim still runs.
    await sql`UPDATE archive_space SET lease_owner = 'archiver-dead',
      lease_until = now() + interval '30 seconds' WHERE space_id = ${SPACE}`.execute(db);

    const first = await desk.export(archivist, caseId, []);
    expect(first.view.pending).toBe(1);
    const entries = unzipSync(first.bytes);
    const manifest = BundleManifest.parse(
      JSON.parse(new TextDecoder().decode(entries[BUNDLE.manifest])),
    );
    expect(manifest.pending).toEqual([
      { space: SPACE, seq: act.seq, kind: 'chat.message', at: act.at.toISOString() },
    ]);
    expect(JSON.parse(new TextDecoder().decode(entries[BUNDLE.case]))).toMatchObject({
      whole: false,
    });
    const report = verifyBundle(first.bytes);
    expect(report.problems).toEqual([]);
    expect(report.pending).toBe(1);
    expect((await listExports(db, caseId))[0]).toMatchObject({ id: first.view.id, pending: 1 });
    // The archive search says the same.
    const found = await desk.search(
      archivist,
      ArchiveSearch.parse({ space: SPACE, kind: 'chat.message' }),
    );
    expect(found.pending).toBe(1);
    expect(found.records.map((r) => r.subject)).not.toContain('m_after_crash');

    // The claim ran out: the next export drains the act and holds it.
    await sql`UPDATE archive_space SET lease_until = now() - interval '1 second'
      WHERE space_id = ${SPACE}`.execute(db);
    const second = await desk.export(archivist, caseId, []);
    expect(second.view.pending).toBe(0);
    const again = unzipSync(second.bytes);
    expect(sealedLines(second.bytes)).toContain('Message acquitté juste avant la panne');
    expect(
      BundleManifest.parse(JSON.parse(new TextDecoder().decode(again[BUNDLE.manifest]))).pending,
    ).toBeUndefined();
    expect(verifyBundle(second.bytes).pending).toBe(0);
    expect((await desk.search(archivist, ArchiveSearch.parse({ space: SPACE }))).pending).toBe(0);
  });

  it('waits for another archiver that is archiving the space, and holds every act', async () => {
    await archiver.drain();
    for (let i = 0; i < 60; i++) await chat(`m_busy_${i}`, `Message ${i} pendant l’archivage`);
    // Another node's archiver takes the space up: ten records a segment, a
    // quarter of a second between segments (about 1.5 s for the 60 acts).
    const busy = await otherArchiver(10, 250);
    const archiving = busy.archiveSpace(SPACE);
    await claimed();
    // Exported meanwhile: the export's own drain leaves the space to it, then
    // waits while it advances: nothing is left waiting.
    const made = await desk.export(archivist, caseId, []);
    expect(await archiving).toBeGreaterThan(0);
    await busy.close();
    expect(made.view.pending).toBe(0);
    const lines = sealedLines(made.bytes);
    for (let i = 0; i < 60; i++) expect(lines).toContain(`"m_busy_${i}"`);
    expect(verifyBundle(made.bytes)).toMatchObject({ ok: true, pending: 0 });
  });

  it('does not wait for the acts a live class goes on making while it exports', async () => {
    await archiver.drain();
    for (let i = 0; i < 30; i++) await chat(`m_before_${i}`, `Message ${i}`);
    // Another archiver holds the space all along (one act a segment, a
    // tenth of a second between segments), and the class writes faster.
    const busy = await otherArchiver(1, 100);
    let exporting = true;
    const writing = (async () => {
      for (let i = 0; exporting; i++) {
        await chat(`m_during_${i}`, `Encore ${i}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const archiving = (async () => {
      while (exporting) await busy.archiveSpace(SPACE);
    })();
    try {
      await claimed();
      const started = Date.now();
      const made = await desk.export(archivist, caseId, []);
      // Done once the acts made before it are in, not after the longest wait (60 s).
      expect(Date.now() - started).toBeLessThan(40_000);
      const lines = sealedLines(made.bytes);
      for (let i = 0; i < 30; i++) expect(lines).toContain(`"m_before_${i}"`);
    } finally {
      exporting = false;
      await writing;
      await archiving;
      await busy.close();
      await archiver.drain();
    }
  }, 90_000);

  it('erases a person’s images with them (row and bytes), except under a hold', async () => {
    const { db } = database;
    const freeDoc = (
      await createDoc(db, {
        space: 'group_wholebundle_free',
        kind: 'pad',
        title: 'Carnet',
        actor: 'pTom',
      })
    ).id;
    const heldDoc = (
      await createDoc(db, { space: OTHER, kind: 'board', title: 'Plan', actor: 'pTom' })
    ).id;
    await upload('group_wholebundle_free', freeDoc, 'f_tom_free', 'pTom');
    await upload(OTHER, heldDoc, 'f_tom_held', 'pTom');
    await desk.placeHold(archivist, caseId, {
      space: OTHER,
      person: undefined,
      from: undefined,
      until: undefined,
    });
    const report = await erasePerson(
      {
        db,
        objects: s3.store,
        signer: await loadArchiveSigner(db),
        log: silentLogger(),
        drain: () => archiver.drain(),
      },
      'pTom',
    );
    expect(report.filesErased).toBe(1);
    expect(await findDocFile(db, freeDoc, 'f_tom_free')).toBeNull();
    expect(await s3.store.get(docFileKey(freeDoc, 'f_tom_free'))).toBeNull();
    expect(await findDocFile(db, heldDoc, 'f_tom_held')).not.toBeNull();
    expect(await s3.store.get(docFileKey(heldDoc, 'f_tom_held'))).not.toBeNull();
  });
});
