import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { apiRoutes } from '../support/apiRoutes';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';

// The served OpenAPI document covers the route tree, and its reference page
// reads well: in French and English, on a phone, under the CSP, for axe.

const toOpenApi = (path: string) => path.replace(/\[(?:\.\.\.)?(\w+)\]/g, '{$1}');

describe('the API document and its reference page', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const csp: string[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    context.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text());
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('serves the document with every route and method of the tree', async () => {
    const res = await fetch(new URL('/api/openapi.json', preau.url));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const missing = apiRoutes().flatMap((r) =>
      r.methods
        .filter((m) => !doc.paths[toOpenApi(r.path)]?.[m.toLowerCase()])
        .map((m) => `${m} ${r.path}`),
    );
    expect(missing).toEqual([]);
  });

  // A long page (every operation open at once) that axe reads whole: patience on a busy machine.
  it('shows the reference in French, readable on a phone, from the footer', {
    timeout: 240_000,
  }, async () => {
    await page.goto(preau.url);
    await page.locator('footer a[href="/developpeurs/api"]').click();
    await page.waitForURL((u) => u.pathname === '/developpeurs/api');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Référence de l’API HTTP');
    // Each group and operation is there: a room's creation with its body's fields.
    await expect.poll(() => page.locator('h2#tag-archive').textContent()).toBe('Archive');
    const create = page.locator('details#postApiSpaces');
    await create.locator('summary').click();
    await expect.poll(() => create.getAttribute('open')).toBe('');
    const text = (await create.textContent()) ?? '';
    expect(text).toContain('Corps de la requête');
    for (const field of ['kind', 'name', '"group"', '"project"', 'bad_request', '401'])
      expect(text).toContain(field);
    // Open every operation, then check the page on a phone.
    await page.evaluate(() => {
      for (const d of document.querySelectorAll('details')) d.open = true;
    });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // axe reads a few open operations (every kind of schema among them), not all sixty.
    await page.evaluate(() => {
      const keep = [
        'postApiSpaces',
        'getApiArchiveSearch',
        'postApiSpacesSpaceIdFiles',
        'getApiArchiveAudit',
      ];
      for (const d of document.querySelectorAll('details')) d.open = keep.includes(d.id);
    });
    await expectAccessible(page);
    expect(csp).toEqual([]);
  });

  it('shows it in English, and a keyboard opens an operation', { timeout: 240_000 }, async () => {
    await context.addCookies([{ name: 'lang', value: 'en', url: preau.url }]);
    await page.goto(new URL('/developpeurs/api', preau.url).href);
    await expect.poll(() => page.locator('h1').textContent()).toBe('HTTP API reference');
    const keys = page.locator('details#getApiArchiveKeys');
    await keys.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => keys.getAttribute('open')).toBe('');
    expect(await keys.textContent()).toContain('Public, no sign-in needed.');
    await expectAccessible(page);
    expect(csp).toEqual([]);
  });
});
