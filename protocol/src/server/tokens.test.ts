import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CapabilityClaims } from '../tokens';
import { createCapabilityVerifier, generateSigningKey, mintCapability } from './tokens';

const claims: CapabilityClaims = {
  sub: 'p_8f3a',
  name: 'Léa Martin',
  profiles: [{ uai: '0350001A', kind: 'student' }],
  space: 'class_3eB',
  rights: ['read', 'write'],
};
const issuer = 'http://127.0.0.1:3000';

describe('capability tokens', async () => {
  const key = await generateSigningKey('k1');
  const other = await generateSigningKey('k1');
  const verify = createCapabilityVerifier({
    issuer,
    audience: 'preau:docs',
    jwks: { keys: [key.publicJwk] },
  });

  it('accepts a token minted for its audience and returns the claims', async () => {
    const token = await mintCapability(
      key,
      { issuer, audience: 'preau:docs', ttlSeconds: 60 },
      claims,
    );
    const before = Math.floor(Date.now() / 1000);
    const { exp, ...verified } = await verify(token);
    expect(verified).toEqual(claims);
    // The expiry comes back too (a live socket renews its token before it).
    expect(exp).toBeGreaterThanOrEqual(before + 59);
    expect(exp).toBeLessThanOrEqual(before + 61);
  });

  it('refuses a wrong audience, an expired token, a foreign key and a tampered payload', async () => {
    const wrongAudience = await mintCapability(
      key,
      { issuer, audience: 'preau:classroom', ttlSeconds: 60 },
      claims,
    );
    await expect(verify(wrongAudience)).rejects.toMatchObject({ code: 'unauthenticated' });

    const expired = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('preau:docs')
      .setSubject(claims.sub)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key.privateKey);
    await expect(verify(expired)).rejects.toMatchObject({ code: 'unauthenticated' });

    const foreign = await mintCapability(
      other,
      { issuer, audience: 'preau:docs', ttlSeconds: 60 },
      claims,
    );
    await expect(verify(foreign)).rejects.toMatchObject({ code: 'unauthenticated' });

    const good = await mintCapability(
      key,
      { issuer, audience: 'preau:docs', ttlSeconds: 60 },
      claims,
    );
    const [h, p, s] = good.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.rights = ['read', 'write', 'moderate'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    await expect(verify(tampered)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
