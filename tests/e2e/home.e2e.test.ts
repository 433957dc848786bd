import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';

describe('home page in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('opens in French, hydrates, and logs no console error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(preau.url, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue sur Préau');
    expect(await page.title()).toContain('Préau');
    expect(problems).toEqual([]);
  });

  it('switches to English and back from the header, keyboard only', async () => {
    const page = await browser.newPage();
    await page.goto(preau.url);
    const switcher = (name: string) => page.getByRole('form', { name });
    expect(
      await switcher('Langue')
        .getByRole('button', { name: 'Français' })
        .getAttribute('aria-current'),
    ).toBe('true');
    await switcher('Langue').getByRole('button', { name: 'English' }).press('Enter');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Welcome to Préau');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(
      await switcher('Language')
        .getByRole('button', { name: 'English' })
        .getAttribute('aria-current'),
    ).toBe('true');
    await switcher('Language').getByRole('button', { name: 'Français' }).press('Enter');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue sur Préau');
  });
});
