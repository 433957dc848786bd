import { request as httpRequest } from 'node:http';
import { isTypedRefusal } from '@preau/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { apiRoutes, databaseDigest, fillRoute } from '../support/apiRoutes';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signInApi } from '../support/signin';

// The authorisation matrix: every route and method of the route tree, called
// by every kind of person, answers the status written in MATRIX below. The
// table is keyed by `METHOD /path` and checked against the tree, so a route
// added without its row fails here (the failure shows what it answered).
//
// Calls cannot change anything: a state-changing call sends a body that fails
// validation (`{}`) or names an unknown id, so that whoever may act gets a
// typed 400 or 404 and everyone else 401, 403 or 404; a digest of the
// database checks that nothing was written.

/** The profiles, in the matrix's column order. */
const PROFILES = {
  anonymous: null,
  student: 'eleve.lea.bernard', // 3e A, collège (Rennes)
  teacher: 'prof.martin', // teaches 3e A
  otherTeacher: 'prof.robert', // lycée (Brest) only
  otherStudent: 'eleve.ines.moreau', // 2nde 1, lycée
  staff: 'cpe.girard', // CPE of the collège
  parent: 'parent.bernard', // parent, collège
  archivist: 'archiviste',
  dpo: 'dpo',
  admin: 'admin',
} as const;
type Profile = keyof typeof PROFILES;
const COLUMNS = Object.keys(PROFILES) as Profile[];

/** One status per profile, in COLUMNS order. */
type Row = readonly number[];

/** 401 for the anonymous, `status` for everyone signed in. */
const signedIn = (status: number): Row => [401, ...Array<number>(9).fill(status)];
/** Platform roles only (archivist, DPO, admin as given), 403 for other people. */
const roles = (archivist: number, dpo: number, admin: number): Row => [
  401,
  ...Array<number>(6).fill(403),
  archivist,
  dpo,
  admin,
];

/** The class's members read it (its content: documents, files, history). */
const classReaders: Row = [401, 200, 200, 403, 403, 403, 403, 403, 403, 403];
/** The class's members, its school's staff and admins see it (name, members, classes). */
const classSeers: Row = [401, 200, 200, 403, 403, 200, 403, 403, 403, 200];
/** The school's staff (the collège's CPE) and admins. */
const schoolStaff = (status: number): Row => [
  401,
  403,
  403,
  403,
  403,
  status,
  403,
  403,
  403,
  status,
];

// The class 3e A of the collège is the space of every space route: its
// teacher and student are members, its school's CPE oversees it; people of
// the lycée, the parent and the platform roles are outsiders. Where a route
// parses its body before the service checks access, everyone signed in gets
// the same 400 for `{}` whatever the space (nothing leaks: the answer does
// not depend on the space); those rows are `signedIn(400)`. A body that
// carries bytes (an upload) is read only after access is checked (tested
// below with an upload that never ends).
//                                                  anon stud teach oTch oStu staff parent arch dpo admin
const MATRIX: Record<string, Row> = {
  'GET /api/session': signedIn(200),
  'GET /api/classes': signedIn(200),
  'POST /api/tokens': signedIn(400),
  'GET /api/openapi.json': [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/invitations': signedIn(200),
  'POST /api/invitations/[invitationId]': signedIn(400),
  'GET /api/live/sessions': signedIn(200),
  'POST /api/live/sessions': signedIn(400),
  // An unknown session: the same 404 for everyone, members or not.
  'GET /api/live/sessions/[sessionId]/attendance': [
    401, 404, 404, 404, 404, 404, 404, 404, 404, 404,
  ],
  'GET /api/live/polls/[pollId]': [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
  'GET /api/me/data': signedIn(200),
  'GET /api/me/erasure': signedIn(200),
  'POST /api/me/erasure': signedIn(400),
  'GET /api/me/notifications': signedIn(200),

  'GET /api/classes/[classId]/members': classSeers,
  'GET /api/spaces': signedIn(200),
  'POST /api/spaces': signedIn(400),
  'GET /api/spaces/[spaceId]': classSeers,
  // Counts only spaces one may read: an outsider gets `{}`, which says nothing.
  'GET /api/spaces/[spaceId]/chat/unread': signedIn(200),
  'GET /api/spaces/[spaceId]/classes': classSeers,
  'POST /api/spaces/[spaceId]/classes': signedIn(400),
  'GET /api/spaces/[spaceId]/files': classReaders,
  'POST /api/spaces/[spaceId]/files': signedIn(400),
  // An unknown file: members learn it does not exist, others are refused first.
  'GET /api/spaces/[spaceId]/files/[fileId]': [401, 404, 404, 403, 403, 403, 403, 403, 403, 403],
  'DELETE /api/spaces/[spaceId]/files/[fileId]': [401, 404, 404, 403, 403, 403, 403, 403, 403, 403],
  'GET /api/spaces/[spaceId]/files/[fileId]/annotations': [
    401, 404, 404, 403, 403, 403, 403, 403, 403, 403,
  ],
  'GET /api/spaces/[spaceId]/recordings': classReaders,
  'GET /api/spaces/[spaceId]/recordings/[recordingId]': [
    401, 404, 404, 403, 403, 403, 403, 403, 403, 403,
  ],
  'POST /api/spaces/[spaceId]/guests': signedIn(400),
  // A class's membership comes from the directory: nobody invites into it.
  'GET /api/spaces/[spaceId]/invitations': signedIn(403),
  'POST /api/spaces/[spaceId]/invitations': signedIn(400),
  'DELETE /api/spaces/[spaceId]/invitations/[invitationId]': signedIn(403),
  'GET /api/spaces/[spaceId]/invitees': signedIn(403),
  'GET /api/spaces/[spaceId]/members': classSeers,
  'PATCH /api/spaces/[spaceId]/members/[personId]': signedIn(400),
  'DELETE /api/spaces/[spaceId]/members/[personId]': signedIn(403),
  'POST /api/spaces/[spaceId]/reports': signedIn(400),
  'POST /api/spaces/[spaceId]/state': signedIn(400),

  'GET /api/docs': classReaders,
  'POST /api/docs': signedIn(400),
  'GET /api/docs/[docId]': classReaders,
  'PATCH /api/docs/[docId]': signedIn(400),
  // An empty upload: the class's members get 400 (no image), others 403 first.
  'POST /api/docs/[docId]/files': [401, 400, 400, 403, 403, 403, 403, 403, 403, 403],
  'GET /api/docs/[docId]/files/[fileId]': [401, 404, 404, 403, 403, 403, 403, 403, 403, 403],
  'GET /api/docs/[docId]/history': classReaders,
  'GET /api/docs/[docId]/history/version': classReaders,
  'POST /api/docs/[docId]/restored': signedIn(400),

  'GET /api/schools/[uai]/reports': schoolStaff(200),
  // An unknown report: the staff learn it does not exist, others are refused first.
  'POST /api/schools/[uai]/reports/[reportId]/handled': schoolStaff(404),
  'GET /api/schools/[uai]/settings': schoolStaff(200),
  'PUT /api/schools/[uai]/settings': signedIn(400),

  'GET /api/admin/directory/schools': roles(403, 403, 200),
  'GET /api/admin/directory/persons': roles(403, 403, 200),
  'POST /api/admin/directory/import': roles(403, 403, 400),

  'GET /api/archive/keys': [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/archive/search': roles(200, 403, 403),
  'GET /api/archive/directory': roles(200, 200, 403),
  // An unknown record: the archivist gets 404, everyone else 403 first.
  'GET /api/archive/records/[space]/[seq]': roles(404, 403, 403),
  'GET /api/archive/cases': roles(200, 403, 403),
  'POST /api/archive/cases': roles(400, 403, 403),
  'GET /api/archive/cases/[id]': roles(200, 403, 403),
  'POST /api/archive/cases/[id]/close': roles(400, 403, 403),
  'POST /api/archive/cases/[id]/exports': roles(400, 403, 403),
  'GET /api/archive/cases/[id]/exports/[exportId]': roles(404, 403, 403),
  'POST /api/archive/cases/[id]/holds': roles(400, 403, 403),
  'POST /api/archive/cases/[id]/holds/[holdId]/lift': roles(400, 403, 403),
  'GET /api/archive/audit': roles(403, 200, 403),
  'GET /api/archive/retention': roles(403, 200, 200),
  'PUT /api/archive/retention': roles(403, 403, 400),
  'DELETE /api/archive/retention': roles(403, 403, 400),
};

/** A query string a read needs to reach its access check (else all would get 400). */
const QUERY: Record<string, string> = {
  'GET /api/docs': '?space=class_0350042K_3eA',
  'GET /api/spaces/[spaceId]/invitees': '?q=be',
  'GET /api/archive/search': '?space=class_0350042K_3eA',
  'GET /api/archive/directory': '?q=be',
};

/** A body other than `{}` where `{}` would be valid (an export needs nothing). */
const BODY: Record<string, string> = {
  'POST /api/archive/cases/[id]/exports': '{"moments":"pas une liste"}',
};

describe('authorisation matrix: every route, method and profile', () => {
  let preau: RunningPreau;
  const sessions = new Map<Profile, ApiSession>();
  const params: Record<string, string> = {
    classId: '0350042K_3eA',
    spaceId: 'class_0350042K_3eA',
    space: 'class_0350042K_3eA',
    uai: '0350042K',
    // A record that does not exist: the archivist's answer does not wait on the archiver.
    seq: '999999',
  };
  const routes = apiRoutes();
  const operations = routes.flatMap((r) =>
    r.methods.map((method) => ({ key: `${method} ${r.path}`, method, route: r })),
  );

  beforeAll(async () => {
    preau = await startTestPreau();
    await Promise.all(
      COLUMNS.map(async (p) => {
        const login = PROFILES[p];
        if (login) sessions.set(p, await signInApi(preau.url, login));
      }),
    );
    // Real ids where a route names a document or a case.
    const doc = await (
      await sessions.get('teacher')!.fetch('/api/docs', {
        body: { space: params.space, kind: 'pad', title: 'Matrice' },
      })
    ).json();
    params.docId = doc.data.id;
    const kase = await (
      await sessions.get('archivist')!.fetch('/api/archive/cases', {
        body: {
          reference: 'RG 26/0042',
          legalBasis: 'réquisition',
          authority: 'Parquet de Rennes',
        },
      })
    ).json();
    params.id = kase.data.id;
  });
  afterAll(() => preau?.close());

  /** Calls one operation as one profile; its status and the error code if refused. */
  async function call(profile: Profile, method: string, path: string, body: string) {
    const who = sessions.get(profile);
    const headers: Record<string, string> = who
      ? { ...who.headers() }
      : { 'content-type': 'application/json' };
    headers.origin = new URL(preau.url).origin;
    const res = await fetch(new URL(path, preau.url), {
      method,
      headers,
      ...(method === 'GET' ? {} : { body }),
    });
    const type = res.headers.get('content-type') ?? '';
    let answer: unknown = null;
    if (res.status >= 400 || type.startsWith('application/json'))
      answer = await res.json().catch(() => null);
    else await res.body?.cancel();
    return { status: res.status, answer };
  }

  /** Runs every (operation, profile) pair of `ops`, a few at a time; returns the mismatches. */
  async function run(ops: typeof operations) {
    const jobs = ops.flatMap((op) => COLUMNS.map((profile, column) => ({ op, profile, column })));
    const observed = new Map<string, number[]>();
    const problems: string[] = [];
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(
        jobs.slice(i, i + 8).map(async ({ op, profile, column }) => {
          const path = fillRoute(op.route.path, params) + (QUERY[op.key] ?? '');
          const { status, answer } = await call(profile, op.method, path, BODY[op.key] ?? '{}');
          const row = observed.get(op.key) ?? Array(COLUMNS.length).fill(0);
          row[column] = status;
          observed.set(op.key, row);
          if (status >= 400 && !isTypedRefusal(answer))
            problems.push(`${op.key} as ${profile}: ${status} without a typed error`);
          const expected = MATRIX[op.key]?.[column];
          if (expected !== undefined && expected !== status)
            problems.push(
              `${op.key} as ${profile}: expected ${expected}, got ${status} ${JSON.stringify((answer as { error?: unknown })?.error ?? '')}`,
            );
        }),
      );
    }
    for (const op of ops)
      if (!MATRIX[op.key])
        problems.push(`no row for ${op.key}; it answered [${observed.get(op.key)}]`);
    return problems;
  }

  it('has a row for every route and method of the tree, and none for a route that is gone', () => {
    expect(operations.length).toBeGreaterThan(50);
    const keys = new Set(operations.map((o) => o.key));
    expect(operations.filter((o) => !MATRIX[o.key]).map((o) => o.key)).toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !keys.has(k))).toEqual([]);
    expect(Object.entries(MATRIX).filter(([, row]) => row.length !== COLUMNS.length)).toEqual([]);
    expect([...Object.keys(QUERY), ...Object.keys(BODY)].filter((k) => !MATRIX[k])).toEqual([]);
  });

  it('reads: every GET answers each profile as the matrix says', async () => {
    expect(await run(operations.filter((o) => o.method === 'GET'))).toEqual([]);
  });

  /**
   * Starts a POST of `declared` bytes (chunked, with no declared length,
   * when `declared` is null) as `profile` (no one signed in when null), sends
   * only its first 64 KiB, and resolves with the status answered (null if
   * none came within 5 s, as when the server waits for the rest of the body).
   */
  function partialBody(
    profile: Profile | null,
    path: string,
    declared: number | null,
    type = 'image/png',
  ) {
    const session = profile ? sessions.get(profile)! : null;
    const target = new URL(path, preau.url);
    return new Promise<number | null>((resolve) => {
      const req = httpRequest(target, {
        method: 'POST',
        headers: {
          ...(session ? { cookie: session.cookie, 'x-preau-csrf': session.csrf } : {}),
          origin: target.origin,
          'content-type': type,
          ...(declared === null ? {} : { 'content-length': String(declared) }),
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve(null);
      }, 5_000);
      req.on('response', (res) => {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(64 * 1024));
    });
  }

  it('refuses an upload from someone who may not write before taking its bytes', async () => {
    const size = 5 * 1024 * 1024;
    const file = `/api/spaces/${params.spaceId}/files?name=photo.png`;
    const image = `/api/docs/${params.docId}/files`;
    // The lycée's student and the collège's CPE may not write in 3e A.
    for (const profile of ['otherStudent', 'staff'] as const) {
      expect(await partialBody(profile, file, size)).toBe(403);
      expect(await partialBody(profile, image, size)).toBe(403);
    }
  });

  it('refuses a large body from no one signed in, or a large form, before reading it', async () => {
    const size = 5 * 1024 * 1024;
    const form = 'application/x-www-form-urlencoded';
    // A form action checks who asks only once SvelteKit has read the form.
    const members = `/espaces/${params.spaceId}/membres?/invite`;
    expect(await partialBody(null, members, size, form)).toBe(413);
    expect(await partialBody(null, members, null, form)).toBe(411);
    expect(await partialBody(null, `/api/spaces/${params.spaceId}/files?name=a.png`, size)).toBe(
      413,
    );
    // Signed in, a form is a few fields too; the directory import's CSV rides
    // in its form, so that one is read (no answer until its whole body).
    expect(await partialBody('teacher', members, size, form)).toBe(413);
    const multipart = 'multipart/form-data; boundary=x';
    expect(await partialBody('admin', '/admin/import', size, multipart)).toBeNull();
  });

  it('changes: every state-changing call answers as the matrix says and writes nothing', async () => {
    const before = await databaseDigest(preau.services.database.db);
    expect(await run(operations.filter((o) => o.method !== 'GET'))).toEqual([]);
    expect(await databaseDigest(preau.services.database.db)).toEqual(before);
  });
});
