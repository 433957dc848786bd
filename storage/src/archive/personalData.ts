import type { ArchiveLine } from '@preau/protocol';
import { type DocRenderers, plainRenderers, rebuildDoc } from '@preau/protocol/docs-model';
import { zipSync } from 'fflate';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { ownInvitations, ownReports, ownSpaces } from '../spaces/ownData';
import { canonicalJson, fromBase64 } from './canonical';
import { padPage } from './documents';
import { auditOwnDownload } from './erasure';
import type { NameResolver } from './names';
import { SegmentReader } from './search';

/**
 * A person's own data as a zip (the right of access): every archived record
 * about them (records.jsonl, with contents), their messages as text, the
 * documents they wrote in, rendered as they are now, the spaces they belong
 * to (classes, work groups, projects: role and since when), the invitations
 * they sent and received, and the reports they filed. The download is audited.
 */
export async function personalData(
  deps: {
    db: Kysely<Schema>;
    objects: ObjectStore;
    names: NameResolver;
    renderers?: DocRenderers;
    drain?: () => Promise<unknown>;
  },
  person: string,
): Promise<{ bytes: Uint8Array; records: number }> {
  const { db } = deps;
  await deps.drain?.();
  const rows = await db
    .selectFrom('archive_record')
    .select(['space_id', 'seq', 'segment_first', 'kind', 'subject', 'actor'])
    .where(sql<boolean>`people @> ARRAY[${person}]::text[]`)
    .orderBy('at')
    .orderBy('space_id')
    .orderBy('seq')
    .execute();
  const reader = new SegmentReader(db, deps.objects);
  const lines = (
    await Promise.all(
      rows.map((r) => reader.line(r.space_id, Number(r.segment_first), Number(r.seq))),
    )
  ).filter((l): l is ArchiveLine => l !== null);
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const files: Record<string, Uint8Array> = {};
  files['records.jsonl'] = utf8(
    lines
      .map((l) =>
        canonicalJson({
          space: l.space,
          seq: l.seq,
          kind: l.kind,
          at: l.at,
          actor: l.content?.actor ?? null,
          subject: l.content?.subject ?? null,
          payload: l.content?.payload ?? null,
          body: l.content?.body ?? null,
          deleted: l.redaction?.reason ?? null,
        }),
      )
      .map((s) => `${s}\n`)
      .join(''),
  );
  const messages = lines.filter((l) => l.kind === 'chat.message' && l.content?.actor === person);
  files['messages.txt'] = utf8(
    messages
      .map((l) => `${l.at}  ${l.space}  ${String(l.content?.payload.text ?? '')}`)
      .join('\n')
      .concat('\n'),
  );

  const docs = new Set<string>();
  for (const r of rows) {
    if (r.kind === 'doc.update' && r.actor === person && r.subject)
      docs.add(`${r.space_id}/${r.subject}`);
  }
  for (const name of docs) {
    const [space, docId] = name.split('/') as [string, string];
    const all = await db
      .selectFrom('archive_record')
      .select(['seq', 'segment_first', 'kind'])
      .where('space_id', '=', space)
      .where('subject', '=', docId)
      .where('kind', 'in', ['doc.update', 'doc.created'])
      .orderBy('seq')
      .execute();
    const docLines = (
      await Promise.all(all.map((r) => reader.line(space, Number(r.segment_first), Number(r.seq))))
    ).filter((l): l is ArchiveLine => l !== null);
    const created = docLines.find((l) => l.kind === 'doc.created')?.content?.payload;
    const kind = created?.kind === 'board' ? 'board' : 'pad';
    const title = typeof created?.title === 'string' ? created.title : docId;
    const doc = rebuildDoc(
      docLines.flatMap((l) =>
        l.kind === 'doc.update' && l.content?.body ? [fromBase64(l.content.body)] : [],
      ),
    );
    const renderers = deps.renderers ?? plainRenderers;
    files[`documents/${space}/${docId}.${kind === 'board' ? 'svg' : 'html'}`] = utf8(
      kind === 'board'
        ? renderers.board(doc)
        : padPage(title, renderers.pad(doc), `${title} — ${space}/${docId}`),
    );
    doc.destroy();
  }
  const [spaces, invitations, reports] = await Promise.all([
    ownSpaces(db, person),
    ownInvitations(db, person),
    ownReports(db, person),
  ]);
  const json = (v: unknown) => utf8(`${JSON.stringify(v, null, 2)}\n`);
  files['spaces.json'] = json(spaces);
  files['invitations.json'] = json(invitations);
  files['reports.json'] = json(reports);
  files['LISEZMOI.txt'] = utf8(
    `Vos données dans Préau (${person}), au ${new Date().toISOString()}.\n` +
      'records.jsonl : chaque trace vous concernant (contenu compris) ; messages.txt : vos messages ;\n' +
      'documents/ : les documents où vous avez écrit, dans leur état actuel ;\n' +
      'spaces.json : vos classes, groupes et projets (rôle, depuis quand) ;\n' +
      'invitations.json : les invitations envoyées et reçues ; reports.json : vos signalements.\n' +
      'Your data in Préau: records.jsonl, messages.txt, documents/, spaces.json,\n' +
      'invitations.json and reports.json as described above.\n',
  );
  await auditOwnDownload(db, { id: person, role: 'self' }, lines.length);
  return { bytes: zipSync(files, { level: 6 }), records: lines.length };
}
