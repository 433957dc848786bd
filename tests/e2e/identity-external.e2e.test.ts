import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestOidcProvider, type TestOidcProvider } from '../support/oidcProvider';
import { freePort } from '../support/ports';
import { startTestPreau } from '../support/preau';

describe('sign-in against a separately started, external OpenID Connect provider', () => {
  let provider: TestOidcProvider;
  let preau: RunningPreau;
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    const rpOrigin = `http://127.0.0.1:${port}`;
    provider = await startTestOidcProvider({
      clientId: 'preau-ext',
      clientSecret: 'a-secret-shared-with-the-ent',
      rpOrigin,
      users: ['prof.dubois', 'stranger'],
    });
    [preau, browser] = await Promise.all([
      startTestPreau({
        PORT: String(port),
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: 'preau-ext',
        OIDC_CLIENT_SECRET: 'a-secret-shared-with-the-ent',
        // This provider's subjects are opaque; the directory login is preferred_username.
        OIDC_LOGIN_CLAIM: 'preferred_username',
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
    await provider?.close();
  });

  it('turns the embedded demo provider off', async () => {
    const res = await fetch(`${preau.url}/oidc/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    expect(preau.services.identity.mode).toBe('external');
  });

  it('signs in at the external provider and back, then signs out there too', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(preau.url);
    await page.getByRole('link', { name: 'Se connecter' }).first().click();
    await page.waitForURL((u) => u.origin === provider.issuer && u.pathname.startsWith('/login/'));
    await page.getByLabel('Username').fill('prof.dubois');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${preau.url}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bonjour, Sophie Dubois');
    expect(
      await page.getByRole('region', { name: 'Mes classes' }).getByRole('link').allTextContents(),
    ).toEqual(['4e B', '2nde 1']);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.getByRole('button', { name: /Yes, sign me out/ }).click();
    await page.waitForURL(`${preau.url}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue sur Préau');
  });

  it('shows the clear page when the provider vouches for someone the directory lacks', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${preau.url}/auth/login`);
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.getByLabel('Username').fill('stranger');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${preau.url}/auth/inconnu`);
    expect(await page.locator('h1').textContent()).toBe(
      'Votre compte n’est pas dans l’annuaire de Préau',
    );
    expect(await page.locator('main').textContent()).toContain('stranger');
    await expectAccessible(page);
  });
});
