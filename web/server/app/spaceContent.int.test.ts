import { createHash } from 'node:crypto';
import type { Notification, PreauError, SessionUser } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import {
  createDoc,
  type Database,
  insertChatMessage,
  MemoryFanout,
  openDatabase,
  readOutbox,
  SampleDoc,
  seedDemoDirectory,
  sessionUserOf,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { SpaceAccess } from './access';
import { ChatService } from './chat';
import { FilesService, safeFileName } from './files';
import { InvitationsService } from './invitations';
import { Notifier } from './notifier';
import { ReportsService } from './reports';
import { SpacesService } from './spaces';

const COLLEGE = '0350042K';
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2]);

// Files (real local S3), reports and unread counts of a work group, through
// the services the pages and API call.
describe('a space’s files, reports and unread counts (PGlite, local S3)', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let spaces: SpacesService;
  let invitations: InvitationsService;
  let files: FilesService;
  let reports: ReportsService;
  let chat: ChatService;
  let notifier: Notifier;
  const fanout = new MemoryFanout();
  let lea: SessionUser;
  let mate: SessionUser;
  let outsider: SessionUser;
  let cpe: SessionUser;
  let groupId: string;
  const user = async (login: string) => {
    const row = await database.db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return (await sessionUserOf(database.db, row.id))!;
  };
  const code = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (err: PreauError) => err.code,
    );

  beforeAll(async () => {
    [database, s3] = await Promise.all([
      openDatabase({ memory: true }, silentLogger()),
      startTestS3(),
    ]);
    await seedDemoDirectory(database.db);
    const access = new SpaceAccess(database.db);
    notifier = new Notifier(fanout, silentLogger());
    const notify = (n: readonly Notification[]) => notifier.notify(n);
    spaces = new SpacesService({ db: database.db, access, fanout, notify, log: silentLogger() });
    invitations = new InvitationsService({ db: database.db, access, spaces });
    files = new FilesService({ db: database.db, access, objects: s3.store, log: silentLogger() });
    reports = new ReportsService({ db: database.db, access, notify });
    chat = new ChatService({ db: database.db, access });
    lea = await user('eleve.lea.bernard');
    cpe = await user('cpe.girard');
    outsider = await user('eleve.ines.moreau');
    const group = await spaces.create(lea, { kind: 'group', name: 'Exposé fichiers' });
    groupId = group.id;
    const classmates = await database.db
      .selectFrom('class_member')
      .innerJoin('person', 'person.id', 'class_member.person_id')
      .select('person.login')
      .where('class_member.class_id', '=', `${COLLEGE}_3eA`)
      .where('class_member.role', '=', 'student')
      .where('person.id', '<>', lea.id)
      .orderBy('person.login')
      .execute();
    mate = await user(classmates[0]!.login);
    const [invitation] = await invitations.invite(lea, groupId, [mate.id]);
    await invitations.answer(mate, invitation!.id, true);
  });
  afterAll(async () => {
    await notifier?.close();
    await database?.close();
    await s3?.close();
  });

  it('stores a file in object storage with its sniffed type and hash, lists and serves it, and traces it', async () => {
    const up = await files.upload(mate, groupId, {
      name: '../../Schéma\u0000 volcan.png',
      declaredType: 'application/octet-stream',
      read: async () => PNG,
    });
    const sha = createHash('sha256').update(PNG).digest('hex');
    expect(up).toMatchObject({
      name: 'Schéma volcan.png',
      mimeType: 'image/png',
      size: PNG.byteLength,
      sha256: sha,
      inline: true,
      canDelete: true,
    });
    // Bytes that claim to be an image but are not are kept as opaque bytes, never inline.
    const fake = await files.upload(mate, groupId, {
      name: 'page.html',
      declaredType: 'text/html',
      read: async () => new TextEncoder().encode('<script>alert(1)</script>'),
    });
    expect(fake).toMatchObject({ mimeType: 'application/octet-stream', inline: false });
    expect((await files.list(lea, groupId)).map((f) => f.name)).toEqual([
      'page.html',
      'Schéma volcan.png',
    ]);
    const got = await files.download(lea, groupId, up.id);
    expect(Buffer.from(got.body).equals(Buffer.from(PNG))).toBe(true);
    expect(await s3.store.get(got.file.objectKey)).not.toBeNull();
    // Outsiders and unknown ids.
    expect(await code(files.list(outsider, groupId))).toBe('not_found');
    expect(await code(files.download(outsider, groupId, up.id))).toBe('not_found');
    expect(await code(files.download(lea, groupId, 'f_nope'))).toBe('not_found');
    expect(
      await code(
        files.upload(mate, groupId, {
          name: 'x',
          declaredType: '',
          read: async () => new Uint8Array(),
        }),
      ),
    ).toBe('bad_request');

    // Only the uploader, or who manages, deletes; a deleted file is gone from the list.
    const leaView = (await files.list(lea, groupId)).find((f) => f.id === up.id)!;
    expect(leaView.canDelete).toBe(true); // the owner manages the group
    const mateOnFake = (await files.list(mate, groupId)).find((f) => f.id === fake.id)!;
    expect(mateOnFake.canDelete).toBe(true);
    await files.delete(mate, groupId, up.id);
    expect((await files.list(lea, groupId)).map((f) => f.id)).toEqual([fake.id]);
    expect(await code(files.download(lea, groupId, up.id))).toBe('not_found');
    const traces = (await readOutbox(database.db, groupId)).filter((t) => t.subject === up.id);
    expect(traces.map((t) => [t.kind, t.payload.sha256, t.payload.size])).toEqual([
      ['file.added', sha, PNG.byteLength],
      ['file.deleted', sha, PNG.byteLength],
    ]);
  });

  it('files a report with a copy of the message and notifies the school’s staff, who mark it handled', async () => {
    const received: Notification[] = [];
    const stop = await notifier.listen(cpe.id, (n) => received.push(n));
    await insertChatMessage(database.db, {
      id: 'm_report_1',
      spaceId: groupId,
      sessionId: null,
      authorId: lea.id,
      authorName: lea.name,
      text: 'Un message déplacé',
      sentAt: new Date(),
    });
    const { id } = await reports.file(mate, groupId, {
      targetKind: 'message',
      targetId: 'm_report_1',
      reason: 'Propos blessants',
    });
    await expect.poll(() => received.map((n) => n.type === 'report' && n.reportId)).toEqual([id]);
    stop();
    const inbox = await reports.inbox(cpe, COLLEGE);
    expect(inbox[0]).toMatchObject({
      id,
      spaceName: 'Exposé fichiers',
      reporter: mate.id,
      reason: 'Propos blessants',
      content: { text: 'Un message déplacé', author: lea.name },
      handledAt: null,
    });
    const trace = (await readOutbox(database.db, groupId)).find((t) => t.subject === id)!;
    expect(trace.kind).toBe('report.filed');
    expect(trace.payload).toEqual({
      targetKind: 'message',
      targetId: 'm_report_1',
      reason: 'Propos blessants',
    });
    // Students do not read the inbox; staff of another school neither.
    expect(await code(reports.inbox(mate, COLLEGE))).toBe('forbidden');
    expect(await code(reports.inbox(cpe, '0290017Y'))).toBe('forbidden');
    // Outsiders cannot report; an unknown target is not_found.
    expect(
      await code(
        reports.file(outsider, groupId, {
          targetKind: 'message',
          targetId: 'm_report_1',
          reason: 'x',
        }),
      ),
    ).toBe('not_found');
    expect(
      await code(
        reports.file(mate, groupId, { targetKind: 'message', targetId: 'm_nope', reason: 'x' }),
      ),
    ).toBe('not_found');
    await reports.handled(cpe, COLLEGE, id);
    expect((await reports.inbox(cpe, COLLEGE))[0]).toMatchObject({ id, handledByName: cpe.name });
    expect(await code(reports.handled(cpe, COLLEGE, id))).toBe('not_found');
  });

  it('reports a pad with its title and plain text', async () => {
    const { id: docId } = await createDoc(database.db, {
      space: groupId,
      kind: 'pad',
      title: 'Brouillon',
      actor: lea.id,
    });
    await new SampleDoc(database.db, docId).type(lea.id, 'Texte du pad signalé.');
    const { id } = await reports.file(mate, groupId, {
      targetKind: 'doc',
      targetId: docId,
      reason: 'Contenu inapproprié',
    });
    const report = (await reports.inbox(cpe, COLLEGE)).find((r) => r.id === id)!;
    expect(report.content).toEqual({
      author: null,
      title: 'Brouillon',
      text: 'Texte du pad signalé.',
    });
  });

  it('counts unread messages per space for the spaces one may read', async () => {
    const counts = await chat.unread(lea, [groupId, 'group_nope']);
    // Lea wrote the only message: nothing unread for her; her mate has one.
    expect(counts).toEqual({ [groupId]: 0 });
    expect(await chat.unread(mate, [groupId])).toEqual({ [groupId]: 1 });
    expect(await chat.unread(outsider, [groupId])).toEqual({});
  });

  it('keeps names safe', () => {
    expect(safeFileName('')).toBe('fichier');
    expect(safeFileName('C:\\Users\\a\\rapport final.pdf')).toBe('rapport final.pdf');
    expect(safeFileName(`${'a'.repeat(200)}.pdf`)).toHaveLength(120);
    expect(safeFileName(`${'a'.repeat(200)}.pdf`).endsWith('.pdf')).toBe(true);
  });
});
