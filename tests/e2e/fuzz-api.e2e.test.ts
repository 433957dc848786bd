import { isTypedRefusal, junkValue, malformedJsonBody } from '@preau/protocol/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { type ApiRoute, apiRoutes, databaseDigest, fillRoute } from '../support/apiRoutes';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signInApi } from '../support/signin';

// Property: every JSON endpoint, called by every kind of person with a
// malformed body (broken JSON, wrong types, huge or deeply nested values) or
// junk in its query, answers a typed 4xx and writes nothing. Routes come from
// the route tree, so a new endpoint is fuzzed the day it is added.
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const PROFILES = ['prof.martin', 'eleve.lea.bernard', 'archiviste', 'dpo', 'admin'];

describe('every API endpoint refuses malformed input with a typed 4xx and changes nothing', () => {
  let preau: RunningPreau;
  const sessions = new Map<string, ApiSession>();
  const params: Record<string, string> = {
    classId: '0350042K_3eA',
    space: 'class_0350042K_3eA',
    spaceId: 'class_0350042K_3eA',
    seq: '1',
  };

  beforeAll(async () => {
    preau = await startTestPreau();
    for (const login of PROFILES) sessions.set(login, await signInApi(preau.url, login));
    // Real ids where a route names one, so that bodies reach their parsing.
    const teacher = sessions.get('prof.martin')!;
    const doc = await (
      await teacher.fetch('/api/docs', {
        body: { space: params.space, kind: 'pad', title: 'Fuzz' },
      })
    ).json();
    params.docId = doc.data.id;
    const archivist = sessions.get('archiviste')!;
    const kase = await (
      await archivist.fetch('/api/archive/cases', {
        body: {
          reference: 'RG 26/0001',
          legalBasis: 'réquisition judiciaire',
          authority: 'Parquet de Rennes',
        },
      })
    ).json();
    params.id = kase.data.id;
  });
  afterAll(() => preau?.close());

  const send = (
    who: ApiSession,
    method: string,
    path: string,
    body: string,
    type: string,
    sameOrigin: boolean,
  ) =>
    fetch(new URL(path, preau.url), {
      method,
      headers: {
        ...who.headers(),
        'content-type': type,
        ...(sameOrigin ? { origin: new URL(preau.url).origin } : {}),
      },
      body,
    });

  const routes = apiRoutes();
  it('finds the routes in the tree', () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.map((r) => r.path)).toContain('/api/tokens');
  });

  const mutating = routes.flatMap((r) =>
    r.methods.filter((m) => m !== 'GET').map((method) => ({ route: r, method })),
  );
  it.each(mutating.map(({ route, method }) => [`${method} ${route.path}`, route, method] as const))(
    '%s',
    async (_name, route: ApiRoute, method) => {
      const before = await databaseDigest(preau.services.database.db);
      const path = fillRoute(route.path, params);
      for (const login of PROFILES) {
        const who = sessions.get(login)!;
        await fc.assert(
          fc.asyncProperty(
            malformedJsonBody(),
            fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
            fc.boolean(),
            async (body, type, sameOrigin) => {
              const res = await send(who, method, path, body, type, sameOrigin);
              const answer = await res.json().catch(() => null);
              const what = `${login} ${method} ${path} ${res.status} ${JSON.stringify(answer)}`;
              expect(res.status, what).toBeGreaterThanOrEqual(400);
              expect(res.status, what).toBeLessThan(500);
              expect(isTypedRefusal(answer), what).toBe(true);
            },
          ),
          { numRuns: RUNS },
        );
      }
      expect(await databaseDigest(preau.services.database.db)).toEqual(before);
    },
  );

  const reads = routes.filter((r) => r.methods.includes('GET'));
  it.each(reads.map((route) => [`GET ${route.path}`, route] as const))(
    '%s with junk in its query',
    async (_name, route: ApiRoute) => {
      const path = fillRoute(route.path, params);
      for (const login of PROFILES) {
        const who = sessions.get(login)!;
        await fc.assert(
          fc.asyncProperty(
            fc.dictionary(
              fc.constantFrom(
                'q',
                'limit',
                'offset',
                'from',
                'to',
                'kind',
                'person',
                'space',
                'state',
              ),
              junkValue.map((v) => String(JSON.stringify(v) ?? '')),
              { maxKeys: 4 },
            ),
            async (query) => {
              const url = new URL(path, preau.url);
              for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
              const res = await fetch(url, { headers: { cookie: who.cookie } });
              await res.body?.cancel();
              expect(res.status, `${login} GET ${url.pathname}${url.search}`).toBeLessThan(500);
            },
          ),
          { numRuns: RUNS },
        );
      }
    },
  );
});
