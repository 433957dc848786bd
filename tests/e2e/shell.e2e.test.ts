import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const UAI = DEMO_SCHOOLS.college.uai;
/** A class name of one word, as long as its space id allows (49 characters). */
const LONG_CLASS = '3eSectionInternationaleBritanniqueOptionLatinGrec';
const LONG_FAMILY =
  'Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewaren';
/** A document title of one word, as long as the protocol allows (120 characters). */
const LONG_TITLE = `Anticonstitutionnellement${'x'.repeat(95)}`;
/** A demo student (the demo provider signs in demo accounts only) renamed by the import. */
const RENAMED = demoDirectory().accounts.filter((a) => a.className === '3e A')[1]!.login;
// Two more Léa Bernard: one in 3e A beside the demo's, one in the long-named class.
const CSV = `class;${UAI};${LONG_CLASS}
profile;prof.martin;${UAI};teacher;3e A|4e B|${LONG_CLASS}
person;eleve.lea.bernard2;Léa;Bernard
profile;eleve.lea.bernard2;${UAI};student;3e A
person;eleve.lea.bernard3;Léa;Bernard
profile;eleve.lea.bernard3;${UAI};student;${LONG_CLASS}
person;${RENAMED};Marie-Clémentine;${LONG_FAMILY}
`;
const LONG_CLASS_ID = classIdOf(UAI, LONG_CLASS);
const CLASS_3A = classIdOf(UAI, '3e A');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * How far the page reaches past the phone's right edge (0 when nothing does).
 * Measured against the phone's width, not innerWidth alone: a mobile browser
 * zooms out to show content that overflows, and innerWidth grows with it.
 */
const overflow = (page: Page) =>
  page.evaluate(
    (width) => Math.max(document.documentElement.scrollWidth, window.innerWidth) - width,
    PHONE.viewport.width,
  );
/** The breadcrumb's steps, as read. */
const trail = (page: Page) =>
  page.getByRole('navigation', { name: 'Fil d’Ariane' }).getByRole('listitem').allInnerTexts();

describe('the shell: long input, people with the same name, phone menu, trails, Paris time', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let phone: BrowserContext;
  let longDoc: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    const admin = await signInApi(preau.url, 'admin');
    const imported = await admin.fetch('/api/admin/directory/import', { body: { csv: CSV } });
    expect(imported.status).toBe(200);
    const teacher = await signInApi(preau.url, 'prof.martin');
    const created = await teacher.fetch('/api/docs', {
      body: { space: classSpaceId(LONG_CLASS_ID), kind: 'pad', title: LONG_TITLE },
    });
    longDoc = (await created.json()).data.id;
    phone = await browser.newContext(PHONE);
    await signIn(await phone.newPage(), preau.url, 'prof.martin');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('wraps a long class name, title and person name instead of pushing a phone page sideways', async () => {
    const page = await phone.newPage();
    for (const path of [
      '/',
      `/classes/${LONG_CLASS_ID}`,
      `/classes/${LONG_CLASS_ID}/docs`,
      `/docs/${longDoc}`,
    ]) {
      await page.goto(`${preau.url}${path}`);
      await page.locator('main h1').waitFor();
      expect(await overflow(page), path).toBeLessThanOrEqual(0);
    }
    expect(await page.locator('main h1').textContent()).toBe(LONG_TITLE);
    expect(await trail(page)).toEqual(['Accueil', LONG_CLASS, 'Documents et tableaux', LONG_TITLE]);
    const student = await (await browser.newContext(PHONE)).newPage();
    await signIn(student, preau.url, RENAMED);
    expect(await student.locator('main h1').textContent()).toContain(LONG_FAMILY);
    await student.getByRole('button', { name: 'Menu' }).click();
    expect(await student.locator('header').textContent()).toContain(LONG_FAMILY);
    expect(await overflow(student)).toBeLessThanOrEqual(0);
  });

  it('shows a document title’s limit as it is typed, and keeps a refused title', async () => {
    const page = await phone.newPage();
    await page.goto(`${preau.url}/classes/${CLASS_3A}/docs`);
    const field = page.getByLabel('Titre', { exact: true });
    const count = page.locator('#doc-title-count');
    expect(await count.textContent()).toBe('0 / 120 caractères');
    // Typed before the page's scripts run, the letters would be counted by nobody.
    await scriptsRunning(page);
    await field.fill('a'.repeat(110));
    expect(await count.textContent()).toBe('110 / 120 caractères');
    await field.pressSequentially('b'.repeat(15));
    // Not cut at 120: the field keeps every letter and says how many are too many.
    expect(await field.inputValue()).toHaveLength(125);
    expect(await count.textContent()).toBe('5 caractères de trop');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('doc-title-count');
    await page.getByRole('button', { name: 'Créer', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Le titre doit faire entre 1 et 120 caractères.');
    expect(await field.inputValue()).toHaveLength(125);
    await expectAccessible(page);
  });

  it('tells apart people with the same name on the class page and in the admin list', async () => {
    const page = await phone.newPage();
    await page.goto(`${preau.url}/classes/${CLASS_3A}`);
    const students = page.getByRole('list', { name: /^Élèves/ }).getByRole('listitem');
    // The demo's two Arthur Leroy, and the Léa Bernard the import added; everyone else keeps a plain name.
    expect((await students.filter({ hasText: '(' }).allInnerTexts()).sort()).toEqual([
      'Arthur Leroy (eleve.arthur.leroy)',
      'Arthur Leroy (eleve.arthur.leroy2)',
      'Léa Bernard (eleve.lea.bernard)',
      'Léa Bernard (eleve.lea.bernard2)',
    ]);
    expect(await students.count()).toBe(17);

    const admin = await (await browser.newContext(PHONE)).newPage();
    await signIn(admin, preau.url, 'admin', '/admin/personnes?q=bernard');
    const row = (login: string) =>
      admin.getByRole('row').filter({ has: admin.getByRole('cell', { name: login, exact: true }) });
    expect(await row('eleve.lea.bernard').getByRole('cell').nth(2).textContent()).toBe('3e A');
    expect(await row('eleve.lea.bernard3').getByRole('cell').nth(2).textContent()).toBe(LONG_CLASS);
    // The wide table scrolls in its own box, which then takes the keyboard's focus.
    expect(await overflow(admin)).toBeLessThanOrEqual(0);
    const box = admin.getByRole('region', { name: 'Personnes' });
    expect(await box.getAttribute('tabindex')).toBe('0');
    await expectAccessible(admin);
    expect(await trail(admin)).toEqual(['Accueil', 'Annuaire', 'Personnes']);
  });

  it('opens and closes the phone menu by keyboard, and keeps the header on one line', async () => {
    const page = await phone.newPage();
    await page.goto(`${preau.url}/classes/${CLASS_3A}`);
    const menu = page.getByRole('button', { name: 'Menu' });
    const signOut = page.getByRole('button', { name: 'Se déconnecter' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await signOut.isVisible()).toBe(false);
    expect((await page.locator('header').boundingBox())!.height).toBeLessThanOrEqual(64);
    // Skip link, brand, menu: the third Tab.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await menu.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await signOut.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Accueil');
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.evaluate((el) => el === document.activeElement)).toBe(true);
    // A link of the menu opens its page and the menu closes behind it.
    await menu.click();
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Accueil' })
      .click();
    await page.waitForURL(`${preau.url}/`);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    // On a wide screen there is no menu button: everything is in the header.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await menu.isVisible()).toBe(false);
    expect(await signOut.isVisible()).toBe(true);
  });

  it('folds the pad toolbar behind one button on a phone, and shows it whole on a wide screen', async () => {
    // Each open page holds one HTTP/1.1 connection for its notifications
    // (SSE), and Chromium opens at most six per host: the tabs the tests above
    // left open would hold the document's token request back.
    for (const open of phone.pages()) await open.close();
    const page = await phone.newPage();
    await page.goto(`${preau.url}/docs/${longDoc}`);
    await page.locator('.pad-content').waitFor();
    const toggle = page.getByRole('button', { name: 'Mise en forme' });
    const toolbar = page.getByRole('toolbar', { name: 'Mise en forme' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toolbar.isVisible()).toBe(false);
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await toolbar.getByRole('button', { name: 'Gras' }).isVisible()).toBe(true);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await toolbar.isVisible()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await toggle.isVisible()).toBe(false);
    expect(await toolbar.isVisible()).toBe(true);
  });

  it('shows times in Paris time in a browser set to New York', async () => {
    const context = await browser.newContext({ timezoneId: 'America/New_York' });
    const page = await context.newPage();
    await signIn(page, preau.url, 'prof.martin', `/classes/${CLASS_3A}`);
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
      'America/New_York',
    );
    const teacher = await signInApi(preau.url, 'prof.martin');
    const title = 'Sortie au Mont-Saint-Michel';
    const made = await teacher.fetch('/api/docs', {
      body: { space: classSpaceId(CLASS_3A), kind: 'pad', title },
    });
    const docId = (await made.json()).data.id;
    // 14 July 2026, 10:00 UTC: noon in Paris (summer time), 6 a.m. in New York.
    await preau.services.database.db
      .updateTable('doc')
      .set({ updated_at: new Date('2026-07-14T10:00:00Z') })
      .where('id', '=', docId)
      .execute();
    // Opened from the class page, so the browser (not the server) draws the list.
    await page.getByRole('link', { name: 'Documents et tableaux' }).click();
    await page.waitForURL(/\/documents$/);
    const item = page.locator(`li[data-doc="${docId}"]`);
    await expect.poll(() => item.textContent()).toContain('modifié le 14/07/2026 12:00');
    expect(await item.textContent()).not.toContain('06:00');
  });
});
