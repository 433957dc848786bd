import { renderBoardSvg, renderPadHtml } from '@preau/docs-server/model';
import {
  DOC_REWRITE_CHANNEL,
  type DocRewriteNotice,
  PERSON_ERASED_CHANNEL,
  type PersonErasedNotice,
  type PersonLabel,
  type PlatformRole,
  PreauError,
  type SessionUser,
  type SpaceLabel,
} from '@preau/protocol';
import {
  ArchiveDesk,
  Archiver,
  type Auditor,
  type DocRenderers,
  directoryNames,
  erasePerson,
  loadArchiveSigner,
  personalData,
  personByIdOrLogin,
} from '@preau/storage';
import { error, redirect } from '@sveltejs/kit';

/** Documents in bundles and downloads are drawn by the document engine's own renderers. */
const RENDERERS: DocRenderers = {
  pad: (doc) => renderPadHtml(doc),
  board: (doc) => renderBoardSvg(doc),
};

// Server-only helpers of the archivist's, DPO's and people's-rights pages.

/** The archive desk on this server's database and object store. */
export function deskOf(locals: App.Locals): ArchiveDesk {
  const { database, objects, log } = locals.services;
  const db = database.db;
  return new ArchiveDesk({
    db,
    objects,
    signer: () => loadArchiveSigner(db),
    names: directoryNames(db),
    renderers: RENDERERS,
    // An export first archives what is still in the outbox; the background
    // archiver may hold a space meanwhile: leases keep the two apart.
    drain: async () =>
      new Archiver({
        db,
        objects,
        signer: await loadArchiveSigner(db),
        log: log.child({ module: 'archive-export' }),
      }).drain(),
  });
}

/** Archives what is still in the outbox (leases keep it apart from the background archiver). */
function drainOf(locals: App.Locals) {
  const { database, objects, log } = locals.services;
  return async () =>
    new Archiver({
      db: database.db,
      objects,
      signer: await loadArchiveSigner(database.db),
      log: log.child({ module: 'archive-request' }),
    }).drain();
}

/** The signed-in person's own data as a zip (audited). */
export function ownData(locals: App.Locals, person: string) {
  const { database, objects } = locals.services;
  return personalData(
    {
      db: database.db,
      objects,
      names: directoryNames(database.db),
      renderers: RENDERERS,
      drain: drainOf(locals),
    },
    person,
  );
}

/** Erases the signed-in person outside legal holds (audited); the report says what was kept. */
export async function eraseSelf(locals: App.Locals, person: string) {
  const { database, objects, log, fanout } = locals.services;
  const report = await erasePerson(
    {
      db: database.db,
      objects,
      signer: await loadArchiveSigner(database.db),
      log: log.child({ module: 'erasure' }),
      drain: drainOf(locals),
      // The stored history is already rewritten; a copy open in any docs server
      // (this process or another node) takes the deletion and its clients drop the text.
      onDocRewritten: async ({ docId, deletion, seq }) => {
        if (seq === undefined) return;
        const notice: DocRewriteNotice = {
          docId,
          seq,
          deletion: Buffer.from(deletion).toString('base64'),
        };
        await fanout.publish(DOC_REWRITE_CHANNEL, JSON.stringify(notice));
      },
    },
    person,
  );
  // Live classes running now drop the person's chat from memory and screens.
  const erased: PersonErasedNotice = { person };
  await fanout.publish(PERSON_ERASED_CHANNEL, JSON.stringify(erased));
  return report;
}

/** Who acts, as the audit log records them. */
export function auditor(user: SessionUser, role: Auditor['role']): Auditor {
  return { id: user.id, role };
}

/**
 * For pages: the signed-in user holding `role`; otherwise a redirection to
 * sign-in (signed out) or a 403 page (signed in without the role).
 */
export function guardPage(locals: App.Locals, url: URL, role: PlatformRole): SessionUser {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname + url.search)}`);
  if (!user.roles.includes(role)) error(403, { code: 'forbidden', message: 'forbidden' });
  return user;
}

/** For pages: the signed-in user, or a redirection to sign-in. */
export function guardSignedIn(locals: App.Locals, url: URL): SessionUser {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname + url.search)}`);
  return user;
}

/** A typed error's code, for a page to show; anything else is logged and shown as `internal`. */
export function codeOf(locals: App.Locals, err: unknown): string {
  if (err instanceof PreauError) return err.code;
  locals.services.log.error({ err }, 'archive page action failed');
  return 'internal';
}

/** The form's text fields as a plain object (empty fields left out). */
export function formFields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === 'string' && v.trim() !== '') out[k] = v;
  return out;
}

/** The UTC instant of a wall-clock time in Paris (`YYYY-MM-DDTHH:mm[:ss]`), or null. */
export function parisInstant(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Paris' offset at that moment (CET or CEST), from the time zone database.
  const paris = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
  const utc = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: 'UTC' }));
  const instant = new Date(asUtc - (paris.getTime() - utc.getTime()));
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** A period's bounds from two dates (Paris days): from the start of one to the end of the other. */
export function parisPeriod(from?: string, until?: string): { from?: string; until?: string } {
  const start = from ? parisInstant(from) : null;
  const end = until ? parisInstant(until) : null;
  if (end && /^\d{4}-\d{2}-\d{2}$/.test(until!.trim())) end.setTime(end.getTime() + 86_399_999);
  return {
    from: start?.toISOString() ?? from,
    until: end?.toISOString() ?? until,
  };
}

/** The pseudonymous id of a person given by id or by login; the text itself when unknown. */
export async function resolvePerson(
  locals: App.Locals,
  text: string | undefined,
): Promise<{ id: string | undefined; known: boolean }> {
  if (!text) return { id: undefined, known: true };
  const id = await personByIdOrLogin(locals.services.database.db, text);
  return id ? { id, known: true } : { id: text, known: false };
}

/** What a name chooser's field gave: an id chosen, or the typed text and what it matches. */
export interface Picked {
  /** The chosen id (from the list, or the only match of the typed text). */
  id?: string;
  /** The typed text, when it matched nothing or several (then `candidates` lists them). */
  text?: string;
  candidates: (SpaceLabel | PersonLabel)[];
}

/**
 * The id a name chooser sent, or, without scripts, what the typed text
 * (`<field>Text`) matches: its only match is taken, several are offered.
 */
export async function picked(
  desk: ArchiveDesk,
  kind: 'space' | 'person',
  id: string | undefined,
  text: string | undefined,
): Promise<Picked> {
  if (id) return { id, candidates: [] };
  const q = text?.trim();
  if (!q) return { candidates: [] };
  const found = await desk.find({ q: q.slice(0, 80), kind, limit: 20 });
  const list = kind === 'space' ? found.spaces : found.persons;
  return list.length === 1 ? { id: list[0]!.id, candidates: [] } : { text: q, candidates: list };
}
