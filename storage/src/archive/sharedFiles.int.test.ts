import { silentLogger } from '@preau/protocol/server';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRig } from '../../../tests/support/archive';
import type { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { insertSpaceFile, markSpaceFileDeleted, spaceFileKey } from '../spaceContent/files';
import { recordTrace } from '../trace/recordTrace';
import { ArchiveDesk } from './ArchiveDesk';
import type { Archiver } from './Archiver';
import { loadArchiveSigner } from './keys';
import { directoryNames } from './names';
import { verifyBundle } from './verifyBundle';

const SPACE = 'group_bundlefiles';
const archivist = { id: 'arch1', role: 'archivist' as const };

// A group's shared files travel in its evidence bundle, hashed in the
// manifest: a file deleted after the hold is still there.
describe('shared files in an evidence bundle', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let archiver: Archiver;

  beforeAll(async () => {
    ({ database, s3, archiver } = await startArchiveRig(
      () => openDatabase({ memory: true }, silentLogger()),
      5,
    ));
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
  });

  it('puts each in-scope file’s bytes under files/<space>/<id>/<name>', async () => {
    const { db } = database;
    const body = new TextEncoder().encode('Compte rendu de la sortie');
    for (const id of ['f_kept', 'f_deleted']) {
      const key = spaceFileKey(SPACE, id);
      await s3.store.put(key, body, 'text/plain');
      await db.transaction().execute(async (tx) => {
        await insertSpaceFile(tx, {
          id,
          spaceId: SPACE,
          name: `${id}.txt`,
          objectKey: key,
          mimeType: 'text/plain',
          size: body.byteLength,
          sha256: 'x'.repeat(64),
          uploadedBy: 'pLea',
          uploadedAt: new Date(),
        });
        await recordTrace(tx, {
          actor: 'pLea',
          kind: 'file.added',
          space: SPACE,
          subject: id,
          payload: { name: `${id}.txt`, size: body.byteLength },
        });
      });
    }
    await archiver.drain();
    const desk = new ArchiveDesk({
      db,
      objects: s3.store,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
      drain: () => archiver.drain(),
    });
    const kase = await desk.openCase(archivist, {
      reference: 'PV-FICHIERS',
      legalBasis: 'Réquisition',
      authority: 'Parquet',
      description: '',
    });
    await desk.placeHold(archivist, kase.id, {
      space: SPACE,
      person: undefined,
      from: undefined,
      until: undefined,
    });
    await markSpaceFileDeleted(db, {
      spaceId: SPACE,
      fileId: 'f_deleted',
      by: 'pLea',
      at: new Date(),
    });
    const { bytes } = await desk.export(archivist, kase.id, []);
    expect(verifyBundle(bytes).ok).toBe(true);
    const files = unzipSync(bytes);
    for (const id of ['f_kept', 'f_deleted'])
      expect(new TextDecoder().decode(files[`files/${SPACE}/${id}/${id}.txt`])).toBe(
        'Compte rendu de la sortie',
      );
  });
});
