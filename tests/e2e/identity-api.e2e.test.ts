import { createCapabilityVerifier } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signInApi } from '../support/signin';

const SPACE = 'class_0350042K_3eA';

describe('capability tokens from POST /api/tokens, checked against the served JWKS', () => {
  let preau: RunningPreau;
  const sessions = new Map<string, ApiSession>();
  const as = async (login: string) => {
    let s = sessions.get(login);
    if (!s) {
      s = await signInApi(preau.url, login);
      sessions.set(login, s);
    }
    return s;
  };
  beforeAll(async () => {
    preau = await startTestPreau();
  });
  afterAll(() => preau?.close());

  it('gives a class teacher read, write, moderate, present, verifiable over HTTP by kid', async () => {
    const res = await (await as('prof.martin')).fetch('/api/tokens', {
      body: { audience: 'preau:docs', space: SPACE, doc: 'pad_1' },
    });
    expect(res.status).toBe(200);
    const { ok, data } = await res.json();
    expect(ok).toBe(true);
    expect(data.rights).toEqual(['read', 'write', 'moderate', 'present']);
    expect(new Date(data.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const jwks = await (await fetch(`${preau.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    expect(jwks.keys.every((k: { d?: string }) => k.d === undefined)).toBe(true);
    const verify = createCapabilityVerifier({
      issuer: preau.services.tokens.issuer,
      audience: 'preau:docs',
      jwks: new URL(`${preau.url}/.well-known/jwks.json`),
    });
    const claims = await verify(data.token);
    expect(claims).toMatchObject({
      name: 'Claire Martin',
      space: SPACE,
      doc: 'pad_1',
      profiles: [{ uai: '0350042K', kind: 'teacher' }],
    });
    expect(claims.sub).toMatch(/^p_/);
    // Another audience's verifier, and a tampered payload, are refused.
    const classroom = createCapabilityVerifier({
      issuer: preau.services.tokens.issuer,
      audience: 'preau:classroom',
      jwks: new URL(`${preau.url}/.well-known/jwks.json`),
    });
    await expect(classroom(data.token)).rejects.toMatchObject({ code: 'unauthenticated' });
    const [h, p, s] = data.token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(p, 'base64url').toString()),
        rights: ['moderate'],
      }),
    ).toString('base64url');
    await expect(verify(`${h}.${forged}.${s}`)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('gives a student of the class read, write, present', async () => {
    const res = await (await as('eleve.lea.bernard')).fetch('/api/tokens', {
      body: { audience: 'preau:classroom', space: SPACE, session: 'ls_1' },
    });
    const body = await res.json();
    expect(body.data.rights).toEqual(['read', 'write', 'present']);
    const claims = await preau.services.tokens.verifier('preau:classroom')(body.data.token);
    expect(claims).toMatchObject({ session: 'ls_1', name: 'Léa Bernard' });
  });

  it('refuses non-members, platform roles included, with 403', async () => {
    for (const login of [
      'prof.thomas',
      'eleve.hugo.petit',
      'archiviste',
      'dpo',
      'admin',
      'cpe.girard',
    ]) {
      const res = await (await as(login)).fetch('/api/tokens', {
        body: { audience: 'preau:docs', space: SPACE },
      });
      expect(res.status, login).toBe(403);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it('refuses the signed-out (401) and validates the body with the shared schema (400)', async () => {
    const anonymous = await fetch(`${preau.url}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audience: 'preau:docs', space: SPACE }),
    });
    expect(anonymous.status).toBe(401);
    const bad = await (await as('prof.martin')).fetch('/api/tokens', {
      body: { audience: 'preau:sfu', space: 'not a space!' },
    });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe('bad_request');
    expect(body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'audience',
      'space',
    ]);
  });
});
