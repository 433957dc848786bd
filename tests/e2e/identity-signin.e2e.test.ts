import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

describe('sign-in through the embedded demo provider, in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preau-signin-'));
  let preau: RunningPreau;
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau({ DATA_DIR: dataDir }), launchChromium()]);
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the demo accounts, signs a teacher in with PKCE, and shows their classes', async () => {
    const page = await context.newPage();
    const authorizations: URL[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/oidc/auth') authorizations.push(url);
    });
    await page.goto(preau.url);
    await page.getByRole('link', { name: 'Se connecter' }).first().click();
    await page.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
    expect(await page.locator('h1').textContent()).toBe('Se connecter en tant que…');
    expect(await page.locator('button[name="login"]').count()).toBeGreaterThanOrEqual(75);
    const params = authorizations[0]!.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
    await page.locator('button[name="login"][value="prof.martin"]').click();
    await page.waitForURL(`${preau.url}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bonjour, Claire Martin');
    const classes = page.getByRole('region', { name: 'Mes classes' });
    expect(await classes.getByRole('link').allTextContents()).toEqual(['3e A', '4e B']);
    const cookies = await context.cookies(preau.url);
    const session = cookies.find((c) => c.name === 'preau_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookies.find((c) => c.name === 'preau_csrf')?.httpOnly).toBe(false);
  });

  it('keeps the session across a server restart; a demo sign-in opened on purpose shows a banner', async () => {
    const before = await context.newPage();
    await before.goto(preau.url);
    expect(await before.locator('.demo-banner').count()).toBe(0);
    await before.close();
    await preau.close();
    // Restarted with the demo sign-in opened on purpose (as on a trusted network).
    preau = await startTestPreau({ DATA_DIR: dataDir, DEMO_SIGNIN: 'true' });
    const page = await context.newPage();
    await page.goto(preau.url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bonjour, Claire Martin');
    expect(await page.getByRole('note').textContent()).toContain('sans mot de passe');
    await page.goto(`${preau.url}/classes/0350042K_3eA`);
    expect(await page.locator('.demo-banner').count()).toBe(1);
  });

  it('signs out at Préau and at the provider (RP-initiated logout)', async () => {
    // A fresh sign-in: the provider's own session lives in its memory, not across restarts.
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await signIn(page, preau.url, 'prof.martin');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/oidc/session/end'));
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${preau.url}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue sur Préau');
    expect((await fresh.cookies(preau.url)).map((c) => c.name)).not.toContain('preau_session');
    // The provider's session is over too: signing in asks whom to sign in as again.
    await page.goto(`${preau.url}/auth/login`);
    await page.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
  });

  it('returns to the page asked for, and signs a student in with signIn()', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, preau.url, 'eleve.lea.bernard');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bonjour, Léa Bernard');
    expect(await page.getByRole('region', { name: 'Mes classes' }).textContent()).toContain('3e A');
  });

  it('offers the demo accounts only: no free field, and any other login is refused', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${preau.url}/auth/login`);
    await page.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
    expect(await page.locator('input[name="other"], input[name="login"]').count()).toBe(0);
    const action = await page.locator('form[method="post"]').first().getAttribute('action');
    // A forged post for a login of the directory that is not a demo account.
    const refused = await page.evaluate(async (url) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'login=personne.inconnue',
        redirect: 'manual',
      });
      return { status: res.status, text: await res.text() };
    }, action!);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Choisissez l’un des comptes de démonstration.');
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('preau_session');
  });

  it('refuses a state-changing API call without the CSRF token, or from another origin', async () => {
    const api = await signInApi(preau.url, 'prof.martin');
    const body = JSON.stringify({ audience: 'preau:docs', space: 'class_0350042K_3eA' });
    const noToken = await fetch(`${preau.url}/api/tokens`, {
      method: 'POST',
      headers: { cookie: api.cookie, 'content-type': 'application/json' },
      body,
    });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const otherOrigin = await fetch(`${preau.url}/api/tokens`, {
      method: 'POST',
      headers: { ...api.headers(), origin: 'https://evil.example' },
      body,
    });
    expect(otherOrigin.status).toBe(403);
    const form = await fetch(`${preau.url}/auth/logout`, {
      method: 'POST',
      headers: {
        cookie: api.cookie,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      redirect: 'manual',
    });
    expect(form.status).toBe(403);
    // The session is still alive: the forged sign-out did nothing.
    const home = await fetch(preau.url, { headers: { cookie: api.cookie } });
    expect(await home.text()).toContain('Bonjour, Claire Martin');
  });
});
