import type { PersonLabel, RecordView, SpaceLabel } from '@preau/protocol';
import { CATALOGUES, type MessageKey, type translator } from '#lib/i18n';

// Records and directory entries in words, for the archivist: kinds in
// French (or English), spaces and people with their schools, and what a
// record's content says. The raw record stays on its own page.

type T = ReturnType<typeof translator>;

/** The message for `key` when the catalogue has it, else `fallback` (a kind added later). */
export function maybe(
  t: T,
  key: string,
  fallback: string,
  params?: Record<string, string | number>,
) {
  return key in CATALOGUES.fr ? t(key as MessageKey, params) : fallback;
}

/** A space or a person to choose, as shown: the name and what or where it is. */
export interface Choice {
  id: string;
  name: string;
  detail: string;
}

/** A space as a choice (name, kind and schools). */
export function spaceChoice(space: SpaceLabel, t: T): Choice {
  return { id: space.id, name: space.name, detail: spaceDetail(space, t) };
}

/** A person as a choice (name, profiles and schools). */
export function personChoice(person: PersonLabel, t: T): Choice {
  return { id: person.id, name: person.name, detail: personDetail(person, t) };
}

/** A kind of trace in words (`chat.message` → « message de discussion »). */
export function kindLabel(kind: string, t: T): string {
  return maybe(t, `archive.kind.${kind}`, kind);
}

/** A kind of space in words (« classe »). */
export function spaceKindLabel(kind: string, t: T): string {
  return maybe(t, `archive.spaceKind.${kind}`, kind);
}

/** What a space is and where: « classe · Collège Anne de Bretagne ». */
export function spaceDetail(space: SpaceLabel, t: T): string {
  const schools = space.schools.map((s) => s.name).join(', ');
  return [spaceKindLabel(space.kind, t), schools].filter(Boolean).join(' · ');
}

/** Who a person is and where: « élève · Collège Anne de Bretagne ; enseignant·e · Lycée… ». */
export function personDetail(person: PersonLabel, t: T): string {
  const schools = person.schools.map(
    (s) => `${maybe(t, `archive.profile.${s.kind}`, s.kind)} · ${s.name}`,
  );
  if (person.roles.length > 0) {
    const roles = person.roles.map((r) => maybe(t, `archive.platformRole.${r}`, r)).join(', ');
    schools.push(t('archive.picker.roles', { roles }));
  }
  return schools.length > 0 ? schools.join(' ; ') : t('archive.picker.noSchool');
}

/** A record's content in words: a summary, and the people's own words apart (quoted). */
export interface Readable {
  /** The document's title, for document records. */
  title?: string;
  summary: string;
  /** Text the record carries (a message) or inserted (a pad). */
  quote?: string;
  /** Text a pad update deleted. */
  deleted?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** What a record says, in words; `null` payload means its content was deleted. */
export function readable(r: RecordView, t: T): Readable {
  const p = r.payload;
  if (!p) return { summary: '' };
  const docTitle = str(p.title) ?? r.change?.title ?? undefined;
  switch (r.kind) {
    case 'chat.message':
    case 'chat.edited':
      return { summary: '', quote: str(p.text) ?? '' };
    case 'doc.update':
      return docUpdate(r, t);
    case 'doc.created':
      return { title: docTitle, summary: maybe(t, `archive.doc.${String(p.kind)}`, '') };
    case 'doc.renamed':
      return {
        summary: t('archive.content.renamed', { from: str(p.from) ?? '', to: str(p.to) ?? '' }),
      };
    case 'session.joined':
      return { summary: p.moderator === true ? t('archive.content.moderator') : '' };
    case 'session.moderation': {
      const action = maybe(t, `archive.moderation.${String(p.action)}`, String(p.action ?? ''));
      const person = str(p.targetName) ?? str(p.target);
      return { summary: person ? t('archive.content.target', { action, person }) : action };
    }
    case 'poll.created':
      return {
        summary: t('archive.content.poll', {
          kind: maybe(t, `polls.kind.${String(p.kind)}`, String(p.kind ?? '')),
          anonymous: p.anonymous === true ? t('polls.anonymousBadge') : t('polls.namedBadge'),
        }),
        quote: str(p.question) ?? '',
      };
    case 'poll.answered': {
      const choices = Array.isArray(p.choices) ? p.choices.map((c) => Number(c) + 1) : [];
      return {
        summary:
          choices.length > 0
            ? t('archive.content.pollChoices', { choices: choices.join(', ') })
            : '',
        quote: str(p.text),
      };
    }
    case 'membership.changed': {
      if (str(p.class))
        return { summary: t('archive.content.classAdded', { class: str(p.class)! }) };
      const person = personOf(p);
      const role = roleLabel(String(p.role ?? ''), t);
      return {
        summary: maybe(t, `archive.content.membership.${String(p.change)}`, '', { person, role }),
      };
    }
    case 'space.created':
      return {
        summary: t('archive.content.spaceCreated', {
          kind: spaceKindLabel(String(p.kind ?? ''), t),
          name: str(p.name) ?? '',
        }),
      };
    case 'space.renamed':
      return {
        summary: t('archive.content.renamed', { from: str(p.from) ?? '', to: str(p.to) ?? '' }),
      };
    case 'space.state': {
      const state = (s: unknown) => maybe(t, `archive.spaceState.${String(s)}`, String(s ?? ''));
      const change = t('archive.content.spaceState', { from: state(p.from), to: state(p.to) });
      return { summary: change, quote: str(p.reason) };
    }
    case 'invitation.sent':
      return { summary: t('archive.content.invited', { person: personOf(p) }) };
    case 'invitation.answered':
      return {
        summary: t(p.accepted === true ? 'archive.content.accepted' : 'archive.content.declined'),
      };
    case 'invitation.withdrawn':
      return { summary: '' };
    case 'file.added':
    case 'file.deleted': {
      const name = str(p.name) ?? str(p.fileName) ?? str(p.title) ?? r.subject ?? '';
      return { summary: t('archive.content.file', { name }) };
    }
    case 'doc.file.added': {
      // An image placed in a pad or a board: its type and the start of its hash.
      const sha = str(p.sha256);
      const name = [str(p.mimeType), sha ? `SHA-256 ${sha.slice(0, 12)}…` : null]
        .filter(Boolean)
        .join(' · ');
      return { summary: t('archive.content.file', { name: name || (r.subject ?? '') }) };
    }
    case 'guest.created':
      return {
        summary: t('archive.content.guest', {
          person: personOf(p),
          until: str(p.until) ?? str(p.expiresAt) ?? '—',
        }),
      };
    case 'report.filed': {
      const kind = str(p.targetKind) ?? str(p.target_kind) ?? '';
      const target = maybe(t, `archive.reportTarget.${kind}`, kind);
      return { summary: t('archive.content.report', { target, reason: str(p.reason) ?? '' }) };
    }
    default: {
      const reason = str(p.reason);
      return { title: docTitle, summary: reason ?? '' };
    }
  }
}

/** The person a record acts upon, by name when the reading resolved it. */
function personOf(p: Record<string, unknown>): string {
  return str(p.personName) ?? str(p.person) ?? '';
}

/** A role in a class or a space in words (« élève », « propriétaire »). */
function roleLabel(role: string, t: T): string {
  return maybe(t, `archive.spaceRole.${role}`, maybe(t, `archive.profile.${role}`, role));
}

function docUpdate(r: RecordView, t: T): Readable {
  const c = r.change;
  if (!c) return { summary: '' };
  const title = c.title ?? t('archive.doc.untitled');
  if (c.doc === 'unknown') return { title, summary: t('archive.change.unknown') };
  const kind = t(`archive.doc.${c.doc}`);
  if (c.doc === 'pad') {
    const parts = [
      c.inserted > 0 ? t('archive.change.inserted', { count: c.inserted }) : '',
      c.deleted > 0 ? t('archive.change.deleted', { count: c.deleted }) : '',
    ].filter(Boolean);
    return {
      title,
      summary: `${kind} — ${parts.length > 0 ? parts.join(', ') : t('archive.change.textSame')}`,
      quote: c.insertedText || undefined,
      deleted: c.deletedText || undefined,
    };
  }
  const parts = [
    c.added > 0 ? t('archive.change.added', { count: c.added }) : '',
    c.changed > 0 ? t('archive.change.changed', { count: c.changed }) : '',
    c.removed > 0 ? t('archive.change.removed', { count: c.removed }) : '',
  ].filter(Boolean);
  const what = parts.length > 0 ? parts.join(', ') : t('archive.change.boardSame');
  const elements = c.elements.length > 0 ? ` (${c.elements.join(' ; ')})` : '';
  return { title, summary: `${kind} — ${what}${elements}` };
}
