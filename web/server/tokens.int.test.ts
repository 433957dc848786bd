import type { CapabilityClaims } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { type Database, listSigningKeys, openDatabase } from '@preau/storage';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type RotatingTokenService, TOKEN_TTL_SECONDS } from './tokens';

const claims: CapabilityClaims = {
  sub: 'p_demo1',
  name: 'Claire Martin',
  profiles: [{ uai: '0350042K', kind: 'teacher' }],
  space: 'class_0350042K_3eA',
  rights: ['read', 'write', 'moderate', 'present'],
};
const HOUR = 3600_000;

describe('capability signing keys in the database, rotated by kid', () => {
  let database: Database;
  let clock = Date.now();
  const now = () => clock;
  const services: RotatingTokenService[] = [];
  const node = async () => {
    const s = await createTokenService('preau-test', { database, rotateEverySeconds: 3600, now });
    services.push(s);
    return s;
  };
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
  });
  afterAll(async () => {
    for (const s of services) s.close();
    await database.close();
  });

  it('rotates without downtime: publish ahead, switch, keep the old key until its tokens expire', async () => {
    const a = await node();
    const b = await node(); // a second web node on the same database
    expect(b.currentKid()).toBe(a.currentKid());
    const first = a.currentKid();
    const oldToken = await a.mint('preau:docs', claims);
    expect(kidOf(oldToken)).toBe(first);
    expect(await b.verifier('preau:docs')(oldToken)).toMatchObject(claims);

    // Near the end of the period, the next key is published but does not sign yet.
    clock += HOUR - 60_000;
    await a.refresh();
    await b.refresh();
    const published = a.jwks().keys.map((k) => k.kid);
    expect(published).toHaveLength(2);
    expect(b.jwks().keys.map((k) => k.kid)).toEqual(published);
    expect(a.currentKid()).toBe(first);
    const next = published.find((k) => k !== first)!;

    // Once it activates, every node signs with it; old tokens still verify everywhere.
    clock += 5 * 60_000;
    expect(a.currentKid()).toBe(next);
    expect(b.currentKid()).toBe(next);
    const newToken = await b.mint('preau:classroom', { ...claims, session: 'ls_1' });
    expect(kidOf(newToken)).toBe(next);
    expect(await a.verifier('preau:classroom')(newToken)).toMatchObject({ session: 'ls_1' });
    expect(await a.verifier('preau:docs')(oldToken)).toMatchObject(claims);

    // After the last token of the old key has expired, the old key leaves JWKS and database.
    clock += (TOKEN_TTL_SECONDS + 61) * 1000;
    await a.refresh();
    await b.refresh();
    expect(a.jwks().keys.map((k) => k.kid)).toEqual([next]);
    expect((await listSigningKeys(database.db)).map((k) => k.kid)).toEqual([next]);
    await expect(b.verifier('preau:docs')(oldToken)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('keeps the current key across a restart (no new key, tokens still verify)', async () => {
    const before = services[0]!;
    const token = await before.mint('preau:docs', claims);
    const restarted = await node();
    expect(restarted.currentKid()).toBe(before.currentKid());
    expect(await restarted.verifier('preau:docs')(token)).toMatchObject(claims);
    expect(await listSigningKeys(database.db)).toHaveLength(1);
  });

  it('refuses a token signed by a key it never published, with a known kid', async () => {
    const elsewhere = await createTokenService('preau-test', { now });
    services.push(elsewhere);
    const mine = services[0]!;
    const forged = await elsewhere.mint('preau:docs', claims);
    await expect(mine.verifier('preau:docs')(forged)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    // Same kid as a published key, other private key: the signature does not match.
    const [header, payload] = (await mine.mint('preau:docs', claims)).split('.');
    const signature = forged.split('.')[2];
    await expect(
      mine.verifier('preau:docs')(`${header}.${payload}.${signature}`),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
