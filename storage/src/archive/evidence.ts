import type { ArchiveLine } from '@preau/protocol';
import { applyUpdate, type DocRenderers, docFromParts } from '@preau/protocol/docs-model';
import { fromBase64 } from './canonical';
import { padPage } from './documents';

/** A record in a case's scope, as derived files see it. */
export type ScopedLine = ArchiveLine & { inScope: boolean };

/** One derived file of a bundle. */
export interface DerivedFile {
  path: string;
  bytes: Uint8Array;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A moment as a file-name-safe label: `2026-09-01T08-00-00Z`. */
export function momentLabel(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
}

function nameOf(names: Map<string, string>, id: string | undefined | null): string {
  if (!id) return '—';
  const name = names.get(id);
  return name ? `${name} (${id})` : id;
}

/**
 * Documents of a space rebuilt at each moment (in time order): every pad or
 * board with an update in scope, from all its updates up to the moment (the
 * whole chain is in the bundle, so anyone can redo it).
 */
export function rebuildDocuments(
  space: string,
  lines: readonly ScopedLine[],
  moments: readonly Date[],
  renderers: DocRenderers,
): DerivedFile[] {
  const kinds = new Map<string, { kind: string; title: string }>();
  const updates = new Map<string, ScopedLine[]>();
  const touched = new Set<string>();
  for (const line of lines) {
    const subject = line.content?.subject;
    if (line.kind === 'doc.created' && subject) {
      const p = line.content!.payload;
      kinds.set(subject, { kind: String(p.kind ?? 'pad'), title: String(p.title ?? subject) });
    }
    if (!line.kind.startsWith('doc.')) continue;
    if (subject && line.inScope) touched.add(subject);
    if (line.kind === 'doc.update' && subject) {
      const list = updates.get(subject);
      if (list) list.push(line);
      else updates.set(subject, [line]);
    }
  }
  const files: DerivedFile[] = [];
  const inOrder = [...moments].sort((a, b) => +a - +b);
  for (const docId of [...touched].sort()) {
    const all = updates.get(docId) ?? [];
    const meta = kinds.get(docId) ?? { kind: 'pad', title: docId };
    // One document brought forward from one moment to the next (they are in
    // order, and what was before a moment is before the later ones): each
    // update is read and applied once, however many moments are asked for,
    // the new ones of a moment in one transaction.
    const doc = docFromParts(null, []);
    const taken = new Array<boolean>(all.length).fill(false);
    let upto = 0;
    let applied = 0;
    let lastIndex = -1;
    for (const moment of inOrder) {
      const fresh: Uint8Array[] = [];
      all.forEach((line, i) => {
        if (taken[i] || new Date(line.at) > moment) return;
        taken[i] = true;
        upto += 1;
        lastIndex = Math.max(lastIndex, i);
        if (line.content?.body) fresh.push(fromBase64(line.content.body));
      });
      if (upto === 0) continue;
      doc.transact(() => {
        for (const body of fresh) applyUpdate(doc, body);
      });
      applied += fresh.length;
      const missing = upto - applied;
      const last = all[lastIndex]!;
      const note =
        `${meta.title} — ${space}/${docId}, état au ${moment.toISOString()} ` +
        `(${applied} mises à jour appliquées, jusqu’à l’enregistrement ${last.seq}` +
        (missing > 0 ? `; ${missing} supprimées par rétention ou effacement non appliquées` : '') +
        ')';
      const base = `documents/${space}/${docId}/${momentLabel(moment)}`;
      if (meta.kind === 'board') {
        const svg = renderers.board(doc);
        files.push({
          path: `${base}.svg`,
          bytes: utf8(svg.replace('<svg ', `<svg data-note="${escapeAttr(note)}" `)),
        });
      } else {
        files.push({
          path: `${base}.html`,
          bytes: utf8(padPage(meta.title, renderers.pad(doc), note)),
        });
      }
    }
    doc.destroy();
  }
  return files;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The chat of a space in scope, as a readable transcript with names resolved at export. */
export function chatTranscript(
  space: string,
  lines: readonly ScopedLine[],
  names: Map<string, string>,
): DerivedFile | null {
  const chat = lines.filter((l) => l.inScope && l.kind.startsWith('chat.'));
  if (chat.length === 0) return null;
  const out = [
    `Transcription de la discussion — espace ${space}`,
    `Chat transcript — space ${space}`,
    '',
  ];
  for (const l of chat) {
    const who = nameOf(names, l.content?.actor);
    const p = l.content?.payload ?? {};
    const ref = `[${l.seq}] ${l.at}`;
    if (!l.content) out.push(`${ref}  (contenu supprimé : ${l.redaction?.reason ?? '?'})`);
    else if (l.kind === 'chat.message')
      out.push(`${ref}  ${who} : ${String(p.text ?? '')}  {${l.content.subject ?? ''}}`);
    else if (l.kind === 'chat.edited')
      out.push(`${ref}  ${who} a modifié {${l.content.subject ?? ''}} : ${String(p.text ?? '')}`);
    else if (l.kind === 'chat.deleted')
      out.push(`${ref}  ${who} a supprimé le message {${l.content.subject ?? ''}}`);
    else out.push(`${ref}  ${who} : ${l.kind} ${JSON.stringify(p)}`);
  }
  return { path: `transcripts/${space}.txt`, bytes: utf8(`${out.join('\n')}\n`) };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n;]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Every record in scope, one row each, with names resolved at export (records.csv). */
export function recordsCsv(lines: readonly ScopedLine[], names: Map<string, string>): DerivedFile {
  const header = [
    'space',
    'seq',
    'at',
    'kind',
    'actor',
    'actor_name',
    'subject',
    'target',
    'target_name',
    'summary',
    'deleted',
  ];
  const rows = lines
    .filter((l) => l.inScope)
    .map((l) => {
      const p = l.content?.payload ?? {};
      const target = typeof p.target === 'string' ? p.target : '';
      const summary =
        l.kind === 'doc.update'
          ? `${l.content?.body ? Buffer.byteLength(l.content.body, 'base64') : 0} octets`
          : typeof p.text === 'string'
            ? p.text
            : typeof p.action === 'string'
              ? p.action
              : typeof p.reason === 'string'
                ? p.reason
                : '';
      return [
        l.space,
        l.seq,
        l.at,
        l.kind,
        l.content?.actor ?? '',
        l.content?.actor ? (names.get(l.content.actor) ?? '') : '',
        l.content?.subject ?? '',
        target,
        target ? (names.get(target) ?? '') : '',
        summary,
        l.redaction?.reason ?? '',
      ]
        .map(csvCell)
        .join(',');
    });
  return { path: 'records.csv', bytes: utf8(`${[header.join(','), ...rows].join('\n')}\n`) };
}
