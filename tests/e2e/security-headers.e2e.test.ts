import { classIdOf, DEMO_SCHOOLS } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { boardBox, createDocFromPage, drawOnBoard, saveState } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

/**
 * Every response carries the security headers, and Préau's pages work under
 * their Content-Security-Policy: the live class with camera, a pad, a board
 * with text (its font and worker), the archive and the admin pages log no
 * violation.
 */
const classId = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');

/** Collects the page's CSP violations, as the browser reports them. */
async function watchCsp(context: BrowserContext, seen: string[]) {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __csp?: string[] };
      w.__csp ??= [];
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.push(msg.text());
  });
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

describe('security headers and the Content-Security-Policy', () => {
  let preau: RunningPreau;
  let browser: Browser;
  const seen: string[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('sends the headers on pages, the API, sign-in and static files', async () => {
    for (const path of [
      '/',
      '/api/session',
      '/oidc/.well-known/openid-configuration',
      '/favicon.svg',
    ]) {
      const res = await fetch(`${preau.url}${path}`, { redirect: 'manual' });
      await res.body?.cancel();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('permissions-policy'), path).toContain('camera=(self)');
      expect(res.headers.get('permissions-policy'), path).toContain('display-capture=(self)');
      // Plain http on loopback: no HSTS (it is sent when PUBLIC_URL is https).
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    // Pages carry SvelteKit's nonce for its own start-up script.
    const home = await fetch(preau.url);
    expect(home.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[^']+'/);
    const html = await home.text();
    expect(html).toMatch(/<script nonce="[^"]+"/);
  });

  it('refuses a JSON body over its endpoint’s limit with 413 too_large, before parsing', async () => {
    const api = await signInApi(preau.url, 'prof.martin');
    const ok = { audience: 'preau:docs', space: 'class_0350042K_3eA' };
    expect((await api.fetch('/api/tokens', { body: ok })).status).toBe(200);
    // Declared too long: refused on its length.
    const big = await api.fetch('/api/tokens', { body: { ...ok, padding: 'x'.repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ ok: false, error: { code: 'too_large' } });
    // Streamed without a length: refused once the bytes read pass the limit.
    const chunk = new TextEncoder().encode(' '.repeat(8192));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await fetch(`${preau.url}/api/tokens`, {
      method: 'POST',
      headers: api.headers(),
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'too_large' } });
  });

  it('runs the sign-in, a pad, a board, the live class, the archive and admin with no violation', async () => {
    const teacherCtx = await browser.newContext({ permissions: ['camera', 'microphone'] });
    await watchCsp(teacherCtx, seen);
    const teacher = await teacherCtx.newPage();
    await signIn(teacher, preau.url, 'prof.martin');
    expect(await violations(teacher)).toEqual([]);

    await createDocFromPage(teacher, preau.url, classId, 'Sous CSP', 'pad');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Texte sous politique de sécurité.');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    expect(await violations(teacher)).toEqual([]);

    await createDocFromPage(teacher, preau.url, classId, 'Tableau sous CSP', 'board');
    await drawOnBoard(teacher, 'r', [450, 120], [570, 200]);
    const box = await boardBox(teacher);
    await teacher.mouse.dblclick(box.x + 460, box.y + 330);
    await teacher.keyboard.type('Police');
    await teacher.keyboard.press('Escape');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.evaluate(() => document.fonts.ready);
    expect(await violations(teacher)).toEqual([]);

    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    await teacher.getByRole('button', { name: 'Activer la caméra' }).click();
    await expect.poll(() => teacher.locator('figure video').count()).toBe(1);
    expect(await violations(teacher)).toEqual([]);

    for (const [login, paths] of [
      ['archiviste', ['/archive', '/archive/cases']],
      ['dpo', ['/dpo']],
      ['admin', ['/admin', '/admin/import', '/admin/personnes', '/admin/retention']],
    ] as const) {
      const context = await browser.newContext();
      await watchCsp(context, seen);
      const page = await context.newPage();
      await signIn(page, preau.url, login);
      for (const path of paths) {
        await page.goto(`${preau.url}${path}`);
        await page.waitForLoadState('networkidle');
        expect(await violations(page), `${login} ${path}`).toEqual([]);
      }
      await context.close();
    }
    expect(seen).toEqual([]);
    await teacherCtx.close();
  });
});
