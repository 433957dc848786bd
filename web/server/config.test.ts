import { describe, expect, it } from 'vitest';
import { isLoopback, readServerConfig } from './config';

describe('the server configuration keeps the demo sign-in off the network by default', () => {
  it('refuses to serve a network with the password-less demo sign-in, and says what to set', () => {
    expect(() => readServerConfig({ HOST: '0.0.0.0' })).toThrow(
      /OIDC_ISSUER: Préau would serve 0\.0\.0\.0 .*OIDC_CLIENT_SECRET.*DEMO_SIGNIN=true/s,
    );
    expect(() => readServerConfig({ HOST: '192.168.1.20' })).toThrow(/OIDC_ISSUER/);
  });

  it('serves the demo sign-in on loopback, or anywhere when asked for (with a banner)', () => {
    expect(readServerConfig({}).signIn).toBe('demo');
    expect(readServerConfig({ HOST: '::1' }).signIn).toBe('demo');
    expect(readServerConfig({ HOST: '0.0.0.0', DEMO_SIGNIN: 'true' }).signIn).toBe('demo-open');
    expect(readServerConfig({ DEMO_SIGNIN: 'true' }).signIn).toBe('demo-open');
  });

  it('uses the ENT’s provider when one is set, on any address', () => {
    const config = readServerConfig({
      HOST: '0.0.0.0',
      OIDC_ISSUER: 'https://idp.example/realms/ent',
      OIDC_CLIENT_SECRET: 'secret',
    });
    expect(config.signIn).toBe('external');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'preau.example'])
      expect(isLoopback(host), host).toBe(false);
  });
});

describe('the composition root reads every part’s settings once, at start', () => {
  it('hands the live, SFU and archive sections their values, and fails fast on a bad one', () => {
    const config = readServerConfig({
      LIVE_EMPTY_SESSION_SECONDS: '20',
      ARCHIVE_INTERVAL_MS: '250',
      SFU_URL: 'ws://127.0.0.1:4443',
      SFU_RPC_SECRET: 'a-secret-of-sixteen',
    });
    expect(config.sessionTimeouts.emptySessionMs).toBe(20_000);
    expect(config.archive.ARCHIVE_INTERVAL_MS).toBe(250);
    expect(config.classroom.SFU_URL).toBe('ws://127.0.0.1:4443');
    expect(() => readServerConfig({ LIVE_EMPTY_SESSION_SECONDS: '0' })).toThrow(
      /LIVE_EMPTY_SESSION_SECONDS/,
    );
    expect(() => readServerConfig({ ARCHIVE_INTERVAL_MS: 'soon' })).toThrow(/ARCHIVE_INTERVAL_MS/);
    expect(() => readServerConfig({ SFU_URL: 'http://sfu' })).toThrow(/SFU_URL/);
  });
});
