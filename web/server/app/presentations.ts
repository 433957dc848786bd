import { type FileAnnotations, MarkShape, PreauError, type SessionUser } from '@preau/protocol';
import { findSpaceFile, marksOfFile, type Schema } from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/**
 * PDFs presented in live sessions, outside the session: the marks drawn on
 * a PDF of the space, for those who may read it (the class's files page
 * shows the PDF with them). Presenting and drawing happen in the live
 * session server; the PDF itself is a file of the space.
 */
export class PresentationsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;

  constructor(deps: { db: Kysely<Schema>; access: SpaceAccess }) {
    this.#db = deps.db;
    this.#access = deps.access;
  }

  /** A PDF of the space and every mark drawn on it, by page (`read`). */
  async annotations(user: User, spaceId: string, fileId: string): Promise<FileAnnotations> {
    await this.#access.require(user, spaceId, 'read');
    const file = await findSpaceFile(this.#db, spaceId, fileId);
    if (file?.mimeType !== 'application/pdf') throw new PreauError('not_found', 'no such PDF');
    const marks = await marksOfFile(this.#db, fileId);
    return {
      fileId,
      name: file.name,
      marks: marks.flatMap((m) => {
        const shape = MarkShape.safeParse(m.shape);
        return shape.success
          ? [
              {
                markId: m.id,
                page: m.page,
                shape: shape.data,
                by: m.authorId,
                at: m.createdAt.toISOString(),
              },
            ]
          : [];
      }),
    };
  }
}
