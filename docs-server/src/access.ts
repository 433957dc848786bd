import type { IncomingMessage } from 'node:http';
import { DocId, type DocKind, PreauError } from '@preau/protocol';
import type { CapabilityVerifier } from '@preau/protocol/server';
import { type DocsExecutor, findDoc } from '@preau/storage/docs';

/** Who is connected to which document, with what right: fixed at the upgrade. */
export interface DocsContext {
  docId: string;
  kind: DocKind;
  space: string;
  person: string;
  name: string;
  readOnly: boolean;
}

/** HTTP status for each refusal at the upgrade (before any socket exists). */
export const UPGRADE_STATUS = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  unavailable: 503,
} as const;

/** The document id and token of an upgrade request to `<prefix>/<docId>?token=…`. */
export function parseUpgradeUrl(
  req: IncomingMessage,
  prefix: string,
): { docId: string; token: string } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rest = url.pathname.slice(prefix.length).replace(/^\/+/, '');
  const docId = DocId.safeParse(decodeURIComponent(rest));
  if (!docId.success) throw new PreauError('bad_request', 'no document in the path');
  const token = url.searchParams.get('token');
  if (!token) throw new PreauError('unauthenticated', 'a capability token is required');
  return { docId: docId.data, token };
}

/**
 * Decides whether a capability token opens a document: the token must be
 * valid for the docs audience and name this document, the document must
 * belong to the token's space, and the token must grant `read`. Writing needs
 * `write` and a document that is not archived; otherwise the connection is
 * read-only and the server refuses its updates.
 */
export async function authorise(
  deps: { db: DocsExecutor; verify: CapabilityVerifier },
  docId: string,
  token: string,
): Promise<DocsContext> {
  const claims = await deps.verify(token);
  if (claims.doc !== docId) throw new PreauError('forbidden', 'the token is for another document');
  if (!claims.rights.includes('read')) throw new PreauError('forbidden', 'no right to read');
  const doc = await findDoc(deps.db, docId);
  if (!doc) throw new PreauError('not_found', 'no such document');
  if (doc.space !== claims.space) {
    throw new PreauError('forbidden', 'the document belongs to another space');
  }
  return {
    docId,
    kind: doc.kind,
    space: doc.space,
    person: claims.sub,
    name: claims.name,
    readOnly: doc.archived || !claims.rights.includes('write'),
  };
}
