import { DEMO_SCHOOLS, readAudit, retentionRules } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium, scriptsRunning, sidewaysOverflow } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const COLLEGE = DEMO_SCHOOLS.college;

/** The cells of the table row whose header is `kind`. */
async function row(page: Page, tableSelector: string, kind: string) {
  const cells = await page
    .locator(`${tableSelector} tbody tr`)
    .filter({ has: page.getByRole('rowheader', { name: kind, exact: true }) })
    .locator('td')
    .allTextContents();
  return cells.map((c) => c.trim());
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

describe('the admin retention page, in Chromium against the whole of Préau', () => {
  let preau: RunningPreau;
  let browser: Browser;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('refuses everyone but an admin (403), the page and its form alike', async () => {
    for (const login of ['eleve.lea.bernard', 'prof.martin', 'archiviste', 'dpo']) {
      const session = await signInApi(preau.url, login);
      const page = await fetch(`${preau.url}/admin/retention`, {
        headers: { cookie: session.cookie },
      });
      expect(page.status, login).toBe(403);
      const posted = await fetch(`${preau.url}/admin/retention?/set`, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: new URL(preau.url).origin },
        body: new URLSearchParams({ scope: '*', kind: 'chat.message', days: '1' }),
      });
      expect(posted.status, login).toBe(403);
    }
    const signedOut = await fetch(`${preau.url}/admin/retention`, { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(await retentionRules(preau.services.database.db)).toEqual([]);
  });

  it('shows an admin the defaults, explains what to fix, and sets a school’s rule (audited)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, preau.url, 'admin', '/admin');
    await page.getByRole('link', { name: 'Conservation des traces' }).click();
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Durées de conservation des traces');
    expect(
      await page
        .getByRole('link', { name: 'Conservation des traces' })
        .getAttribute('aria-current'),
    ).toBe('page');
    expect(await row(page, '#rt-defaults-table', 'chat.message')).toEqual(['730', 'aucune', '730']);
    expect(await row(page, '#rt-defaults-table', 'membership.changed')).toEqual([
      '1095',
      'aucune',
      '1095',
    ]);
    expect(await page.getByText('Aucun établissement n’a de règle propre.').count()).toBe(1);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // A refusal names each field to fix, in the page title, an alert and beside the fields.
    await page.getByLabel('Portée').selectOption(COLLEGE.uai);
    await page.getByLabel('Durée (jours)').fill('0');
    await page.getByRole('button', { name: 'Enregistrer la durée' }).click();
    await expect.poll(() => page.title()).toMatch(/^Erreur : Durées de conservation/);
    expect(await page.getByRole('alert').textContent()).toContain(
      'La durée n’a pas été enregistrée',
    );
    expect(await page.getByLabel('Type de trace').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Durée (jours)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Portée').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Durée (jours)').getAttribute('aria-describedby')).toBe(
      'rt-days-hint rt-days-error',
    );
    expect(await page.locator('#rt-days-error').textContent()).toBe(
      'Indiquez un nombre entier de jours, de 1 à 36 500.',
    );
    expect(await page.locator('#rt-kind-error').textContent()).toBe(
      'Choisissez un type de trace dans la liste.',
    );
    // What was typed is kept.
    expect(await page.getByLabel('Portée').inputValue()).toBe(COLLEGE.uai);
    expect(await page.getByLabel('Durée (jours)').inputValue()).toBe('0');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    expect(await retentionRules(preau.services.database.db)).toEqual([]);

    await page.getByLabel('Type de trace').selectOption('chat.message');
    await page.getByLabel('Durée (jours)').fill('400');
    await page.getByRole('button', { name: 'Enregistrer la durée' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe(`Durée enregistrée : chat.message gardé 400 jours (${COLLEGE.name} (${COLLEGE.uai})).`);
    expect(await page.locator(`#rt-school-${COLLEGE.uai} caption`).textContent()).toBe(
      `${COLLEGE.name} (${COLLEGE.uai})`,
    );
    expect(await row(page, `#rt-school-${COLLEGE.uai}`, 'chat.message')).toEqual([
      '400',
      '730',
      'Supprimer',
    ]);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    const rule = { scope: COLLEGE.uai, kind: 'chat.message', days: 400 };
    expect(await retentionRules(preau.services.database.db)).toEqual([rule]);
    const audit = await readAudit(preau.services.database.db);
    expect(audit.at(-1)).toMatchObject({ action: 'retention.set', role: 'admin', details: rule });
    await context.close();
  });

  it('works by keyboard alone on a phone, in English', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await signIn(page, preau.url, 'admin', '/admin');
    await context.addCookies([{ name: 'lang', value: 'en', url: preau.url }]);
    await page.goto(`${preau.url}/admin/retention`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Retention of traces');
    await scriptsRunning(page);
    // Platform-wide (the default scope), session.joined, 400 days: Tab, type, Enter.
    await page.getByLabel('Scope').focus();
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('rt-kind');
    await page.keyboard.type('session.joined');
    expect(await page.getByLabel('Kind of trace').inputValue()).toBe('session.joined');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('rt-days');
    await page.keyboard.type('400');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Saved: session.joined kept 400 days (Whole platform (*)).');
    expect(await row(page, '#rt-defaults-table', 'session.joined')).toEqual(['365', '400', '400']);
    // The school's own rule is still listed, apart.
    expect(await row(page, `#rt-school-${COLLEGE.uai}`, 'chat.message')).toEqual([
      '400',
      '730',
      'Remove',
    ]);
    // Nothing wider than the phone's screen (wide tables scroll in their own box).
    const { overflow, wide } = await sidewaysOverflow(page);
    expect(overflow, `wider than the screen: ${wide.join('; ')}`).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // Removing the school's rule: the platform's or the default applies again; audited.
    await page
      .getByRole('button', {
        name: `Remove the chat.message rule of ${COLLEGE.name} (${COLLEGE.uai})`,
      })
      .press('Enter');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe(
        `Rule removed: chat.message (${COLLEGE.name} (${COLLEGE.uai})) follows the next rule down again.`,
      );
    expect(await page.getByText('No school has a rule of its own.').count()).toBe(1);
    expect(await retentionRules(preau.services.database.db)).toEqual([
      { scope: '*', kind: 'session.joined', days: 400 },
    ]);
    const audit = await readAudit(preau.services.database.db);
    expect(audit.at(-1)).toMatchObject({
      action: 'retention.remove',
      role: 'admin',
      details: { scope: COLLEGE.uai, kind: 'chat.message', days: 400 },
    });
    await context.close();

    // Through the API: a rule that is not there is a 404, a teacher gets 403; nothing changes.
    const key = { scope: COLLEGE.uai, kind: 'chat.message' };
    const admin = await signInApi(preau.url, 'admin');
    const again = await admin.fetch('/api/archive/retention', { method: 'DELETE', body: key });
    expect(again.status).toBe(404);
    const teacher = await signInApi(preau.url, 'prof.martin');
    const refused = await teacher.fetch('/api/archive/retention', { method: 'DELETE', body: key });
    expect(refused.status).toBe(403);
    expect(await readAudit(preau.services.database.db)).toHaveLength(audit.length);
  });
});
