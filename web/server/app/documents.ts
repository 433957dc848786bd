import { createHash } from 'node:crypto';
import {
  authorColor,
  type CreateDocInput,
  DOC_IMAGE_TYPES,
  DOC_LIMITS,
  type DocAuthor,
  type DocFile,
  type DocHistory,
  type DocKind,
  type DocSummary,
  type DocVersion,
  type DocVersionQuery,
  type Permission,
  PreauError,
  type SessionUser,
  type UpdateDocInput,
} from '@preau/protocol';
import {
  docFromParts,
  docImageUrl,
  renderBoardSvg,
  renderPadHtml,
  stateOf,
} from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import {
  addDocFile,
  archiveDoc,
  createDoc,
  directoryNames,
  docClientAuthors,
  docFileKey,
  docSummary,
  findDocFile,
  type HistoryBase,
  historySpan,
  listDocs,
  type ObjectStore,
  readDocParts,
  recordDocRestored,
  recordTrace,
  renameDoc,
  type Schema,
  seqAt,
  updateMeta,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess, SpaceGrant } from './access';

type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

/** A document as one person may reach it: the document, their permissions in its space. */
export interface DocGrant {
  doc: DocSummary;
  /** The document's space as the access check saw it (name, kind, state). */
  space: SpaceGrant['facts'];
  permissions: Permission[];
  /** May change the content now (`write` in the space, the document not archived). */
  canEdit: boolean;
  /** May rename and archive: those who moderate the space, or the document's creator. */
  canManage: boolean;
  /**
   * May restore a past version, undoing everyone's work since in one act:
   * those who moderate the space (a class's teachers, a group's owners), on
   * a document that is not archived. Others read the history only.
   */
  canRestore: boolean;
}

/** A space's documents as its page lists them, with what the viewer may do. */
export interface SpaceDocs {
  canCreate: boolean;
  docs: Array<DocSummary & { canManage: boolean }>;
}

/** A document's history page: its span, authors, base and latest version. */
export interface DocHistoryView extends DocHistory {
  base: { seq: number; reason: HistoryBase['reason']; rewrittenAt: string } | null;
  latest: DocVersion;
}

/**
 * Pads and boards of every kind of space: listing, creating, renaming,
 * archiving, their images, their history and restores. Access is asked of
 * SpaceAccess for the document's space: `read` to open, `write` to create
 * and edit, `moderate` (or being the creator) to manage.
 */
export class DocumentsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #objects: ObjectStore;
  readonly #log: Logger | undefined;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    objects: ObjectStore;
    log?: Logger;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#objects = deps.objects;
    this.#log = deps.log;
  }

  /** A document and what this person may do with it; `need` is the permission asked for. */
  async get(user: User, docId: string, need: 'read' | 'write' = 'read'): Promise<DocGrant> {
    const doc = await docSummary(this.#db, docId);
    if (!doc) throw new PreauError('not_found', 'no such document');
    const grant = await this.#access.require(user, doc.space, 'read');
    if (!grant.permissions.includes(need))
      throw new PreauError('forbidden', `the ${need} permission is needed`);
    const has = (p: Permission) => grant.permissions.includes(p);
    return {
      doc,
      space: grant.facts,
      permissions: grant.permissions,
      canEdit: has('write') && !doc.archived,
      canManage: has('moderate') || doc.createdBy === user.id,
      canRestore: has('moderate') && has('write') && !doc.archived,
    };
  }

  /** The pads and boards of a space (those who may read it). */
  async list(user: User, spaceId: string): Promise<DocSummary[]> {
    await this.#access.require(user, spaceId, 'read');
    return listDocs(this.#db, spaceId);
  }

  /** A space's documents with what the viewer may do to each (the documents page). */
  async ofSpace(user: User, spaceId: string): Promise<SpaceDocs> {
    const grant = await this.#access.require(user, spaceId, 'read');
    const write = grant.permissions.includes('write');
    const moderate = grant.permissions.includes('moderate');
    const docs = await listDocs(this.#db, spaceId);
    return {
      canCreate: write,
      docs: docs.map((doc) => ({
        ...doc,
        canManage: write && (moderate || doc.createdBy === user.id),
      })),
    };
  }

  /** Creates a pad or a board in a space (needs `write` there: not archived, not suspended). */
  async create(user: User, input: CreateDocInput): Promise<DocSummary> {
    await this.#access.require(user, input.space, 'write');
    return createDoc(this.#db, { ...input, actor: user.id });
  }

  /**
   * Renames or archives a document: those who moderate its space or its
   * creator, while they may write there. With `spaceId`, the document must
   * be of that space (a page acting on its own list).
   */
  async update(
    user: User,
    docId: string,
    input: UpdateDocInput,
    spaceId?: string,
  ): Promise<DocSummary> {
    const grant = await this.get(user, docId, 'write');
    if (spaceId && grant.doc.space !== spaceId)
      throw new PreauError('not_found', 'not a document of this space');
    if (!grant.canManage)
      throw new PreauError('forbidden', 'the space’s moderators and the creator only');
    return 'title' in input
      ? renameDoc(this.#db, { docId, title: input.title, actor: user.id })
      : archiveDoc(this.#db, { docId, actor: user.id });
  }

  /**
   * Stores an image for a document (pads and boards then refer to it by URL,
   * never embedding the bytes in the Yjs document). Its bytes must be of the
   * declared type, so that a script is never served back as an image.
   */
  async addImage(
    user: User,
    docId: string,
    type: string,
    read: () => Promise<Uint8Array>,
  ): Promise<DocFile> {
    const { doc, canEdit } = await this.get(user, docId, 'write');
    if (!canEdit) throw new PreauError('forbidden', 'the document is archived');
    if (!(DOC_IMAGE_TYPES as readonly string[]).includes(type))
      throw new PreauError('bad_request', `images only (${DOC_IMAGE_TYPES.join(', ')})`);
    // The bytes only now: nobody who may not edit the document makes the server take them.
    const body = await read();
    if (body.byteLength === 0) throw new PreauError('bad_request', 'empty image');
    if (body.byteLength > DOC_LIMITS.maxImageBytes)
      throw new PreauError('too_large', 'image too large');
    if (!looksLike(type, body))
      throw new PreauError('bad_request', 'the bytes are not that image type');
    const id = `f${crypto.randomUUID().replaceAll('-', '')}`;
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = docFileKey(doc.id, id);
    // Bytes first, then the row and its trace (with the hash) in one transaction.
    await this.#objects.put(key, body, type);
    try {
      await this.#db.transaction().execute(async (tx) => {
        const file = await addDocFile(tx, {
          id,
          docId: doc.id,
          mimeType: type,
          size: body.byteLength,
          uploadedBy: user.id,
          sha256,
        });
        await recordTrace(tx, {
          actor: user.id,
          kind: 'doc.file.added',
          space: doc.space,
          subject: id,
          at: file.uploadedAt,
          payload: {
            doc: doc.id,
            docKind: doc.kind,
            mimeType: type,
            size: body.byteLength,
            sha256,
          },
        });
      });
    } catch (err) {
      // The row did not commit: the object would be an orphan.
      await this.#objects.delete(key).catch((e: unknown) => {
        this.#log?.warn({ err: e, key }, 'orphan image object left');
      });
      throw err;
    }
    return { id, url: docImageUrl(doc.id, id), mimeType: type, size: body.byteLength };
  }

  /** An image of a document and its bytes, for those who may read the document. */
  async image(
    user: User,
    docId: string,
    fileId: string,
  ): Promise<{ mimeType: string; body: Uint8Array }> {
    const { doc } = await this.get(user, docId);
    const file = await findDocFile(this.#db, doc.id, fileId);
    if (!file) throw new PreauError('not_found', 'no such file');
    const body = await this.#objects.get(file.objectKey);
    if (!body) throw new PreauError('not_found', 'no such file');
    return { mimeType: file.mimeType, body };
  }

  /** How many versions a document has, from when to when, by whom. */
  async history(user: User, docId: string): Promise<DocHistory> {
    const { doc } = await this.get(user, docId);
    const span = await historySpan(this.#db, doc.id);
    return {
      doc,
      updates: span.updates,
      first: span.first?.toISOString() ?? null,
      last: span.last?.toISOString() ?? null,
      authors: await this.#authors(span.authors),
    };
  }

  /** The history page: the span, the base when it was rewritten, and the latest version rendered. */
  async historyView(user: User, docId: string): Promise<DocHistoryView & { grant: DocGrant }> {
    const grant = await this.get(user, docId);
    const span = await historySpan(this.#db, docId);
    return {
      grant,
      doc: grant.doc,
      updates: span.updates,
      first: span.first?.toISOString() ?? null,
      last: span.last?.toISOString() ?? null,
      // The history's first remaining version when it was rewritten (erasure, retention).
      base: span.base && {
        seq: span.base.seq,
        reason: span.base.reason,
        rewrittenAt: span.base.rewrittenAt.toISOString(),
      },
      authors: await this.#authors(span.authors),
      latest: await this.#render(grant.doc, { seq: span.updates }, false),
    };
  }

  /**
   * The document as it was after update `seq` (or at a moment), rendered
   * with its authors' colours; `withState` adds the Yjs state, which the
   * client needs to restore that version, and is given only to those who
   * may restore.
   */
  async version(
    user: User,
    docId: string,
    query: DocVersionQuery,
    withState: boolean,
  ): Promise<DocVersion> {
    const { doc, canRestore } = await this.get(user, docId);
    if (withState && !canRestore)
      throw new PreauError('forbidden', 'restoring a version is for the space’s moderators');
    return this.#render(doc, query, withState);
  }

  /** Records in the trace log that the user restored version `seq` (the restore is an ordinary update). */
  async restored(user: User, docId: string, seq: number): Promise<{ restored: number }> {
    const { doc, canEdit, canRestore } = await this.get(user, docId, 'write');
    if (!canEdit) throw new PreauError('forbidden', 'the document is archived');
    if (!canRestore)
      throw new PreauError('forbidden', 'restoring a version is for the space’s moderators');
    await recordDocRestored(this.#db, { docId: doc.id, space: doc.space, seq, actor: user.id });
    return { restored: seq };
  }

  /** Authors with their names resolved now (never stored with the history) and their colours. */
  async #authors(ids: readonly string[]): Promise<DocAuthor[]> {
    if (ids.length === 0) return [];
    const names = await directoryNames(this.#db)(ids);
    return ids.map((id) => ({ id, name: names.get(id) ?? id, color: authorColor(id) }));
  }

  /** Rebuilds a version from the stored updates: pads as HTML, boards as SVG, with authorship. */
  async #render(doc: DocSummary, query: DocVersionQuery, withState: boolean): Promise<DocVersion> {
    const seq = 'seq' in query ? query.seq : await seqAt(this.#db, doc.id, new Date(query.at));
    const parts = await readDocParts(this.#db, doc.id, seq);
    const ydoc = docFromParts(
      parts.snapshot?.state ?? null,
      parts.updates.map((u) => u.body),
    );
    // Encoded only for those who may restore (the page's own view needs none).
    const state = withState ? stateOf(ydoc) : null;
    const clients = await docClientAuthors(this.#db, doc.id);
    const authorOf = (client: number) => {
      const person = clients.get(client);
      return person ? { id: person, color: authorColor(person) } : undefined;
    };
    const kind: DocKind = doc.kind;
    const markup =
      kind === 'pad' ? renderPadHtml(ydoc, { authorOf }) : renderBoardSvg(ydoc, { authorOf });
    ydoc.destroy();
    const meta =
      parts.updates.at(-1) ??
      (parts.snapshot ? await updateMeta(this.#db, doc.id, parts.snapshot.seq) : null);
    return {
      seq: meta?.seq ?? 0,
      at: meta?.at.toISOString() ?? null,
      author: meta?.author ?? null,
      markup,
      state: state ? Buffer.from(state).toString('base64') : '',
    };
  }
}

/** Checks the file's magic bytes, so a script cannot be served back as an image. */
function looksLike(type: string, b: Uint8Array): boolean {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  switch (type) {
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/gif':
      return starts(0x47, 0x49, 0x46, 0x38);
    case 'image/webp':
      return starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45;
    default:
      return false;
  }
}
