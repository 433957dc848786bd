import { createHash, randomUUID } from 'node:crypto';
import {
  INLINE_FILE_TYPES,
  PreauError,
  type SessionUser,
  SPACE_FILE_LIMITS,
  type SpaceFileView,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  directoryNames,
  findSpaceFile,
  insertSpaceFile,
  markSpaceFileDeleted,
  type ObjectStore,
  recordTrace,
  type Schema,
  type SpaceFileRecord,
  spaceFileKey,
  spaceFiles,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess, SpaceGrant } from './access';

type User = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/** A file's bytes as a download hands them out. */
export interface FileDownload {
  file: SpaceFileRecord;
  body: Uint8Array;
}

/**
 * Files shared in a space: upload (type sniffed from the bytes, name made
 * safe, SHA-256 kept for the archive), list, download, delete (its uploader,
 * or those who manage or moderate the space). Bytes go to object storage
 * first, then the row and its trace commit together.
 */
export class FilesService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #objects: ObjectStore;
  readonly #log: Logger;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    objects: ObjectStore;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#objects = deps.objects;
    this.#log = deps.log;
  }

  /** The space's files, newest first, with their uploaders' names. */
  async list(user: User, spaceId: string): Promise<SpaceFileView[]> {
    const grant = await this.#access.require(user, spaceId, 'read');
    const files = await spaceFiles(this.#db, spaceId);
    const names = await directoryNames(this.#db)(files.map((f) => f.uploadedBy));
    return files.map((f) => this.#view(user, grant, f, names.get(f.uploadedBy) ?? ''));
  }

  /** Stores a file (`write`); its type is what its bytes show, never only what the browser said. */
  async upload(
    user: User,
    spaceId: string,
    input: { name: string; declaredType: string; read: () => Promise<Uint8Array> },
  ): Promise<SpaceFileView> {
    const grant = await this.#access.require(user, spaceId, 'write');
    // The bytes only now: nobody who may not write here makes the server take them.
    const body = await input.read();
    if (body.byteLength === 0) throw new PreauError('bad_request', 'empty file');
    if (body.byteLength > SPACE_FILE_LIMITS.maxBytes)
      throw new PreauError('too_large', 'file too large');
    const file: SpaceFileRecord = {
      id: `f${randomUUID().replaceAll('-', '')}`,
      spaceId,
      name: safeFileName(input.name),
      objectKey: '',
      mimeType: sniffType(body) ?? storedType(input.declaredType),
      size: body.byteLength,
      sha256: createHash('sha256').update(body).digest('hex'),
      uploadedBy: user.id,
      uploadedAt: new Date(),
    };
    file.objectKey = spaceFileKey(spaceId, file.id);
    await this.#objects.put(file.objectKey, body, file.mimeType);
    try {
      await this.#db.transaction().execute(async (tx) => {
        await insertSpaceFile(tx, file);
        await recordTrace(tx, {
          actor: user.id,
          kind: 'file.added',
          space: spaceId,
          subject: file.id,
          at: file.uploadedAt,
          payload: {
            name: file.name,
            mimeType: file.mimeType,
            size: file.size,
            sha256: file.sha256,
          },
        });
      });
    } catch (err) {
      // The row did not commit: the object would be an orphan.
      await this.#objects.delete(file.objectKey).catch((e: unknown) => {
        this.#log.warn({ err: e, key: file.objectKey }, 'orphan file object left');
      });
      throw err;
    }
    const names = await directoryNames(this.#db)([user.id]);
    return this.#view(user, grant, file, names.get(user.id) ?? '');
  }

  /** A file's bytes for a member who may read the space. */
  async download(user: User, spaceId: string, fileId: string): Promise<FileDownload> {
    await this.#access.require(user, spaceId, 'read');
    const file = await findSpaceFile(this.#db, spaceId, fileId);
    if (!file) throw new PreauError('not_found', 'no such file');
    const body = await this.#objects.get(file.objectKey);
    if (!body) throw new PreauError('not_found', 'no such file');
    return { file, body };
  }

  /** Deletes a file: its uploader (who may still write), or those who manage or moderate. */
  async delete(user: User, spaceId: string, fileId: string): Promise<void> {
    const grant = await this.#access.require(user, spaceId, 'read');
    const file = await findSpaceFile(this.#db, spaceId, fileId);
    if (!file) throw new PreauError('not_found', 'no such file');
    if (!this.#mayDelete(user, grant, file))
      throw new PreauError('forbidden', 'only its uploader or a moderator deletes a file');
    const at = new Date();
    await this.#db.transaction().execute(async (tx) => {
      const done = await markSpaceFileDeleted(tx, { spaceId, fileId, by: user.id, at });
      if (!done) throw new PreauError('not_found', 'no such file');
      await recordTrace(tx, {
        actor: user.id,
        kind: 'file.deleted',
        space: spaceId,
        subject: fileId,
        at,
        payload: { name: file.name, size: file.size, sha256: file.sha256 },
      });
    });
    // The bytes stay until erasure or retention: the archive may still need them.
  }

  #mayDelete(user: User, grant: SpaceGrant, file: SpaceFileRecord): boolean {
    const p = grant.permissions;
    if (p.includes('manage') || p.includes('moderate')) return true;
    return file.uploadedBy === user.id && p.includes('write');
  }

  #view(user: User, grant: SpaceGrant, f: SpaceFileRecord, uploaderName: string): SpaceFileView {
    return {
      id: f.id,
      spaceId: f.spaceId,
      name: f.name,
      mimeType: f.mimeType,
      size: f.size,
      sha256: f.sha256,
      uploadedBy: f.uploadedBy,
      uploadedByName: uploaderName,
      uploadedAt: f.uploadedAt.toISOString(),
      inline: isInline(f.mimeType),
      canDelete: this.#mayDelete(user, grant, f),
    };
  }
}

/** Whether a file of this (sniffed) type may be shown in the page. */
export function isInline(mimeType: string): boolean {
  return (INLINE_FILE_TYPES as readonly string[]).includes(mimeType);
}

/**
 * A file name safe to store and to send back in a header: no path, no
 * control or reserved characters, not empty, at most SPACE_FILE_LIMITS.nameChars.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .replace(/[<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim();
  const name = cleaned === '' ? 'fichier' : cleaned;
  if (name.length <= SPACE_FILE_LIMITS.nameChars) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return name.slice(0, SPACE_FILE_LIMITS.nameChars - ext.length) + ext;
}

/** The type the bytes show, for the types shown inline; null for anything else. */
export function sniffType(b: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42)
    return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

/**
 * The type stored for bytes that are neither an image nor a PDF: a declared
 * type that claims to be one of those (the bytes said otherwise), or that is
 * not a plain `type/subtype`, is stored as opaque bytes.
 */
function storedType(declared: string): string {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/.test(type)) return 'application/octet-stream';
  if (isInline(type) || type.startsWith('image/') || type.includes('html') || type.includes('xml'))
    return 'application/octet-stream';
  return type;
}
