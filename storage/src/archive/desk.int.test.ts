import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ArchiveSearch, AuditQuery } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { unzipSync, zipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { ArchiveDesk } from './ArchiveDesk';
import { Archiver } from './Archiver';
import type { Auditor } from './audit';
import { readAudit, verifyAuditLog } from './audit';
import { archivePublicKeys, keyFingerprint, loadArchiveSigner } from './keys';
import { directoryNames } from './names';
import { SampleActivity } from './sampleActivity';
import { verifyBundle } from './verifyBundle';

const CLI = fileURLToPath(new URL('./verify-cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

const archivist: Auditor = { id: 'arch1', role: 'archivist' };
const dpo: Auditor = { id: 'dpo1', role: 'dpo' };

/** Runs the offline verifier as a user would, in a process of its own. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('the archivist desk: search, case, hold, export, offline verify, audit', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let desk: ArchiveDesk;
  let archiver: Archiver;
  let activity: SampleActivity;
  let dir: string;
  const start = new Date('2026-09-14T08:00:00.000Z');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'preau-desk-'));
    [database, s3] = await Promise.all([
      openDatabase({ memory: true }, silentLogger()),
      startTestS3(),
    ]);
    const { db } = database;
    await db
      .insertInto('person')
      .values([
        { id: 'pTeacher', login: 'prof', given_name: 'Claire', family_name: 'Durand' },
        { id: 'pAlice', login: 'alice', given_name: 'Alice', family_name: 'Martin' },
        { id: 'pBob', login: 'bob', given_name: 'Bob', family_name: 'Leroy' },
      ])
      .execute();
    archiver = new Archiver({
      db,
      objects: s3.store,
      signer: await loadArchiveSigner(db),
      log: silentLogger(),
      segmentMax: 7,
    });
    desk = new ArchiveDesk({
      db,
      objects: s3.store,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
      drain: () => archiver.drain(),
    });
    activity = new SampleActivity(db, 'class_0350001A_3eB', start);
    await activity.createDocs('pTeacher');
    await activity.join('pTeacher', 'sess_1', true);
    await activity.join('pAlice');
    await activity.join('pBob');
    await activity.type('pAlice', 'Les châteaux forts sont construits en pierre.');
    await activity.draw('pBob', 'Donjon');
    await activity.say('pBob', 'Alice a tout faux, comme d’habitude', 'm1');
    await activity.say('pAlice', 'Arrête Bob', 'm2');
    await activity.moderate('pTeacher', 'mute', 'pBob');
    await activity.type('pBob', 'Paragraphe ajouté plus tard par Bob.');
    await activity.leave('pBob');
    await archiver.drain();
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a person’s activity in a pad, a board, a chat and a live session, names resolved', async () => {
    const { records } = await desk.search(archivist, ArchiveSearch.parse({ person: 'pBob' }));
    expect(records.map((r) => r.kind)).toEqual([
      'session.joined',
      'doc.update',
      'chat.message',
      'session.moderation',
      'doc.update',
      'session.left',
    ]);
    expect(
      records.every((r) => r.actorName === 'Bob Leroy' || r.actorName === 'Claire Durand'),
    ).toBe(true);
    const moderation = records.find((r) => r.kind === 'session.moderation')!;
    expect(moderation.payload).toMatchObject({
      action: 'mute',
      target: 'pBob',
      targetName: 'Bob Leroy',
    });
    const chat = records.find((r) => r.kind === 'chat.message')!;
    expect(chat.payload?.text).toBe('Alice a tout faux, comme d’habitude');

    const onlyChat = await desk.search(
      archivist,
      ArchiveSearch.parse({ space: activity.space, kind: 'chat.message' }),
    );
    expect(onlyChat.records.map((r) => r.actor)).toEqual(['pBob', 'pAlice']);
    const period = await desk.search(
      archivist,
      ArchiveSearch.parse({
        space: activity.space,
        from: new Date(start.getTime() + 6500).toISOString(),
        to: new Date(start.getTime() + 8500).toISOString(),
      }),
    );
    expect(period.records.map((r) => r.seq)).toEqual([7, 8]);
    const read = await desk.read(archivist, activity.space, 8);
    expect(read.payload?.text).toBe('Alice a tout faux, comme d’habitude');
  });

  it('exports a sealed bundle that verifies offline, with documents at chosen moments and the chat', async () => {
    const kase = await desk.openCase(archivist, {
      reference: 'PV 2026/0142',
      legalBasis: 'Réquisition judiciaire, art. 60-1 du code de procédure pénale',
      authority: 'Parquet de Rennes',
      description: 'Propos insultants en classe virtuelle',
    });
    await desk.placeHold(archivist, kase.id, {
      space: activity.space,
      person: undefined,
      from: undefined,
      until: undefined,
    });
    const beforeBob = new Date(start.getTime() + 6500);
    const { view, bytes } = await desk.export(archivist, kase.id, [beforeBob, activity.now]);
    expect(view.records).toBe(12);
    const report = verifyBundle(bytes);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      caseReference: 'PV 2026/0142',
      segments: 2,
      records: 12,
    });

    const files = unzipSync(bytes);
    const text = (name: string) => new TextDecoder().decode(files[name]);
    const docs = Object.keys(files)
      .filter((f) => f.startsWith('documents/'))
      .sort();
    // The board was drawn after the first moment: it has no state to show then.
    expect(docs).toHaveLength(3);
    const padEarly = docs.find((d) => d.includes('pad_1') && d.includes('08-00-06Z'))!;
    const padLate = docs.find((d) => d.includes('pad_1') && !d.includes('08-00-06Z'))!;
    expect(text(padEarly)).toContain('Les châteaux forts sont construits en pierre.');
    expect(text(padEarly)).not.toContain('Paragraphe ajouté plus tard');
    expect(text(padLate)).toContain('Paragraphe ajouté plus tard par Bob.');
    expect(text(docs.find((d) => d.endsWith('.svg'))!)).toContain('Donjon');
    const transcript = text(`transcripts/${activity.space}.txt`);
    expect(transcript).toContain('Bob Leroy (pBob) : Alice a tout faux');
    expect(transcript).toContain('Alice Martin (pAlice) : Arrête Bob');
    expect(text('records.csv')).toContain('mute');
    const custody = text('custody.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(custody.map((e) => e.action)).toEqual(['case.open', 'hold.place', 'export']);

    const file = join(dir, 'bundle.zip');
    writeFileSync(file, bytes);
    // Without keys from Préau, the verifier proves consistency, not the signer.
    const alone = await cli([file]);
    expect(alone.code, alone.out).toBe(3);
    expect(alone.out).toContain('CONSISTENT, SIGNER UNVERIFIED');
    expect(alone.out).not.toMatch(/^OK/m);
    expect(report.verdict).toBe('unverified-signer');
    // With the keys Préau publishes, it proves the signer; the fingerprint is printed.
    const keys = await archivePublicKeys(database.db);
    const keysFile = join(dir, 'published-keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys }));
    const fingerprint = keyFingerprint(keys[0]!);
    expect(fingerprint).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    // The same check through the command shipped with Préau.
    const { stdout } = await run('bash', [join(ROOT, 'preau'), 'verify', file, '--key', keysFile], {
      cwd: ROOT,
    });
    expect(stdout).toContain('OK: every hash, every chain and every signature verifies');
    expect(stdout).toContain(`fingerprint ${fingerprint}`);
  });

  it('refuses every zip entry the manifest does not list, folder-like names included', async () => {
    const kase = (await desk.listCases())[0]!;
    const { bytes } = await desk.export(archivist, kase.id, []);
    const files = unzipSync(bytes);
    const additions: Record<string, Uint8Array>[] = [
      { 'notes/': new TextEncoder().encode('hidden bytes') },
      { 'empty-folder/': new Uint8Array() },
      { 'documents/extra.html': new TextEncoder().encode('<p>ajout</p>') },
    ];
    for (const added of additions) {
      const report = verifyBundle(zipSync({ ...files, ...added }));
      const name = Object.keys(added)[0]!;
      expect(report.verdict).toBe('failed');
      expect(report.problems).toContainEqual({
        file: name,
        reason: 'entry not listed in the manifest (added)',
      });
    }
  });

  it('names the segment and record when one byte of the bundle is flipped', async () => {
    const kase = (await desk.listCases())[0]!;
    const { bytes } = await desk.export(archivist, kase.id, []);
    const needle = new TextEncoder().encode('Arr\u00eate Bob');
    const at = Buffer.from(bytes).indexOf(Buffer.from(needle));
    expect(at).toBeGreaterThan(0);
    const altered = bytes.slice();
    altered[at] = altered[at]! ^ 0x01;
    const report = verifyBundle(altered);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({
      file: `segments/${activity.space}/000000000008-000000000012.jsonl`,
      seq: 9,
      line: 2,
    });
    const file = join(dir, 'altered.zip');
    writeFileSync(file, altered);
    const failed = await cli([file]);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(
      `first broken place: segments/${activity.space}/000000000008-000000000012.jsonl, record 9, line 2: content altered`,
    );
  });

  it('refuses a bundle re-signed with another key when checked against the published keys', async () => {
    const kase = (await desk.listCases())[0]!;
    const { bytes } = await desk.export(archivist, kase.id, []);
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, new TextDecoder().decode(unzipSync(bytes)['keys.json']));
    const trusted = await cli([join(dir, 'bundle.zip'), '--key', keysFile]);
    expect(trusted.code, trusted.out).toBe(0);
    const { generateArchiveSigner } = await import('./keys');
    const other = generateArchiveSigner();
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          {
            ...other.publicJwk,
            kid: JSON.parse(new TextDecoder().decode(unzipSync(bytes)['MANIFEST.sig.json'])).kid,
          },
        ],
      }),
    );
    const refused = await cli([join(dir, 'bundle.zip'), '--key', keysFile]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/signature/);
    // A key that is simply not among those given is named as unknown.
    writeFileSync(keysFile, JSON.stringify({ keys: [other.publicJwk] }));
    const unknown = await cli([join(dir, 'bundle.zip'), '--key', keysFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('MANIFEST.sig.json: signed by an unknown key');
  });

  it('writes every archivist and DPO action to a hash-chained audit log nobody can change', async () => {
    const { entries, check } = await desk.audit(dpo, AuditQuery.parse({}));
    expect(check.firstBroken).toBeNull();
    const actions = (await readAudit(database.db)).map((e) => `${e.role}:${e.action}`);
    expect(actions).toEqual([
      'archivist:search',
      'archivist:search',
      'archivist:search',
      'archivist:read',
      'archivist:case.open',
      'archivist:hold.place',
      'archivist:export',
      'archivist:export',
      'archivist:export',
      'archivist:export',
      'dpo:audit.read',
    ]);
    expect(entries[0]!.action).toBe('audit.read');
    const { db } = database;
    await expect(
      sql`UPDATE archive_audit SET actor = 'someone' WHERE seq = 1`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM archive_audit WHERE seq = 2`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`TRUNCATE archive_audit`.execute(db)).rejects.toThrow(/append-only/);
    await expect(
      sql`INSERT INTO archive_audit (seq, at, actor, role, action, details, prev_hash, hash)
          VALUES (99, now(), 'x', 'archivist', 'read', '{}', ${'0'.repeat(64)}, ${'1'.repeat(64)})`.execute(
        db,
      ),
    ).rejects.toThrow(/does not extend the chain/);
    expect((await verifyAuditLog(db)).firstBroken).toBeNull();
  });
});
