import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, readAudit } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { personId, recordLesson } from '../support/archive';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const SPACE = classSpaceId(classIdOf(DEMO_SCHOOLS.college.uai, '3e A'));
const COLLEGE = DEMO_SCHOOLS.college.name;
const PHONE = { width: 390, height: 844 };

/** How far the page reaches past the phone's screen sideways (0 when nothing does). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Types into a name chooser as a person would, and waits for the list to offer `option`. */
async function typeAndWait(page: Page, field: string, text: string, option: RegExp) {
  // The list needs the page's scripts; what is typed before they start would be lost.
  await scriptsRunning(page);
  const box = page.getByRole('combobox', { name: field });
  await box.fill('');
  await box.pressSequentially(text, { delay: 30 });
  await expect.poll(() => page.getByRole('option', { name: option }).count()).toBeGreaterThan(0);
  return box;
}

const rowText = async (page: Page, kind: string) =>
  ((await page.locator('tbody tr').filter({ hasText: kind }).allTextContents()) ?? []).join('\n');

/**
 * Reading the archive as an archivist does: a class and a person chosen by
 * name, kinds in French, the chat's words and what each document edit
 * changed, names (not ids) resolved now and audited; the raw record one
 * click away; the case page naming its opener; the DPO's log filtered and
 * paged. On a phone-sized screen, keyboard first, checked by axe.
 */
describe('reading the archive by name, in Chromium against the whole of Préau', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let phone: BrowserContext;
  let lea: string;
  let teacher: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    phone = await browser.newContext({ viewport: PHONE });
    lea = await personId(preau, 'eleve.lea.bernard');
    teacher = await personId(preau, 'prof.martin');
    await recordLesson(preau, SPACE, {
      teacher,
      pupil: lea,
      session: 'sess_read',
      message: 'msg_read_1',
    });
    // The background archiver drains the outbox within about a second.
    for (let tries = 0; ; tries++) {
      const left = await preau.services.database.db
        .selectFrom('trace_outbox')
        .select('seq')
        .where('space_id', '=', SPACE)
        .execute();
      if (left.length === 0) break;
      if (tries > 300) throw new Error('the archiver did not drain the outbox');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('answers the name search to archivists and the DPO only', async () => {
    for (const login of ['eleve.lea.bernard', 'prof.martin', 'admin']) {
      const session = await signInApi(preau.url, login);
      const res = await session.fetch('/api/archive/directory?q=bernard');
      expect(res.status, login).toBe(403);
    }
    expect((await fetch(`${preau.url}/api/archive/directory?q=bernard`)).status).toBe(401);
    const dpo = await signInApi(preau.url, 'dpo');
    const found = await (await dpo.fetch('/api/archive/directory?q=lea%20bern&kind=person')).json();
    expect(found.data).toEqual({
      spaces: [],
      persons: [
        {
          id: lea,
          name: 'Léa Bernard',
          schools: [{ uai: DEMO_SCHOOLS.college.uai, name: COLLEGE, kind: 'student' }],
          roles: [],
        },
      ],
    });
    expect((await dpo.fetch('/api/archive/directory?q=')).status).toBe(400);
  });

  it('finds a class by typing part of its name, and shows kinds, words and changes by name', async () => {
    const page = await phone.newPage();
    await signIn(page, preau.url, 'archiviste', '/archive');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Recherche dans les traces');
    expect(await page.getByRole('navigation', { name: 'Fil d’Ariane' }).textContent()).toContain(
      'Recherche dans les traces',
    );
    // No id to type: « 3e a » offers the class with its school; the keyboard chooses it.
    const box = await typeAndWait(page, 'Espace (classe, groupe ou projet)', '3e a', /3e A/);
    expect(await page.getByRole('option', { name: /3e A/ }).textContent()).toContain(
      `classe · ${COLLEGE}`,
    );
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBeTruthy();
    await box.press('Enter');
    const chosen = page.getByRole('group', { name: 'Espace (classe, groupe ou projet)' });
    await expect.poll(() => chosen.textContent()).toContain(COLLEGE);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(8);

    const table = (await page.locator('table').textContent()) ?? '';
    // Names, not pseudonymous ids; kinds in French, not codes.
    expect(table).not.toContain('p_demo');
    expect(table).not.toContain(SPACE);
    expect(table).not.toContain('doc.update');
    expect(table).not.toContain('chat.message');
    const chat = await rowText(page, 'message de discussion');
    expect(chat).toContain('Bonjour madame, je ne vois pas le tableau');
    expect(chat).toContain('Léa Bernard');
    expect(chat).toContain('3e A');
    const edits = page.locator('tbody tr').filter({ hasText: 'modification de document' });
    expect(await edits.count()).toBe(2);
    const pad = (await edits.nth(0).textContent()) ?? '';
    expect(pad).toContain('« Exposé sur le Moyen Âge »');
    expect(pad).toContain('pad — 37 caractère(s) inséré(s)');
    expect(pad).toContain('Charlemagne fut couronné en l’an 800.');
    expect(pad).toContain('Léa Bernard');
    const board = (await edits.nth(1).textContent()) ?? '';
    expect(board).toContain('« Carte mentale »');
    expect(board).toContain('tableau blanc — 1 élément(s) ajouté(s) (text: Frise chronologique)');
    expect(await rowText(page, 'action de modération')).toContain('micro coupé : Léa Bernard');
    expect(await rowText(page, 'création de document')).toContain('Claire Martin');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // The raw record, one click away.
    const chatRow = page.locator('tbody tr').filter({ hasText: 'message de discussion' });
    await chatRow.getByRole('link', { name: /Voir la trace brute/ }).click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Trace n° \d+ — 3e A$/);
    expect(await page.locator('pre').textContent()).toContain('je ne vois pas le tableau');
    const raw = (await page.getByRole('region', { name: /Trace brute/ }).textContent()) ?? '';
    expect(raw).toContain(lea);
    expect(raw).toContain(SPACE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // What was shown is in the audit log: the search and the read, with the names resolved.
    const entries = await readAudit(preau.services.database.db);
    const search = entries.findLast((e) => e.action === 'search')!;
    expect(search.details.space).toBe(SPACE);
    expect(search.details.namesResolved).toEqual(expect.arrayContaining([lea, teacher]));
    expect(entries.at(-1)).toMatchObject({ action: 'read', details: { namesResolved: [lea] } });
    await page.close();
  });

  it('finds a person by part of their name among namesakes, school shown, and lists their acts', async () => {
    const page = await phone.newPage();
    await page.goto(`${preau.url}/archive`);
    const box = await typeAndWait(page, 'Personne', 'bern', /Léa Bernard/);
    const options = await page.getByRole('option').allTextContents();
    // Three Bernards: a student, a teacher, a parent, each with their school.
    expect(options.find((o) => o.startsWith('Léa Bernard'))).toContain(`élève · ${COLLEGE}`);
    expect(options.find((o) => o.startsWith('Julien Bernard'))).toContain(
      `enseignant·e · ${COLLEGE}`,
    );
    // Arrows move through the list; Enter takes the one shown as selected.
    for (let i = 0; i < options.length; i++) {
      await box.press('ArrowDown');
      const active = await box.getAttribute('aria-activedescendant');
      if (((await page.locator(`#${active}`).textContent()) ?? '').startsWith('Léa Bernard')) break;
    }
    await box.press('Enter');
    await expect
      .poll(() => page.getByRole('group', { name: 'Personne' }).textContent())
      .toContain('Léa Bernard');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(6);
    for (const row of await page.locator('tbody tr').allTextContents()) {
      expect(row).toContain('Léa Bernard');
    }
    expect(await page.locator('#results + p').textContent()).toBe('Recherche : Léa Bernard');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    const search = (await readAudit(preau.services.database.db)).at(-1)!;
    expect(search).toMatchObject({ action: 'search', details: { person: lea } });
    await page.close();
  });

  it('without scripts, looks up the typed name on the server and offers namesakes to choose', async () => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    // Signing in works without scripts too (plain forms and redirects).
    await signIn(page, preau.url, 'archiviste', '/archive');
    await page.getByRole('combobox', { name: 'Personne' }).fill('bernard');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    const offered = page.getByRole('region', {
      name: 'Plusieurs correspondances pour « bernard » : choisissez.',
    });
    expect(await offered.getByRole('link').allTextContents()).toEqual([
      'Julien Bernard',
      'Léa Bernard',
      'Marc Bernard',
    ]);
    expect(await page.locator('table').count()).toBe(0);
    await offered.getByRole('link', { name: 'Léa Bernard' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(6);
    expect(await page.getByRole('group', { name: 'Personne' }).textContent()).toContain(
      `élève · ${COLLEGE}`,
    );
    // One match is taken at once; none is said.
    await page.goto(`${preau.url}/archive?spaceText=2nde`);
    expect(await page.locator('#results + p').textContent()).toBe('Recherche : 2nde 1');
    await page.goto(`${preau.url}/archive?personText=zzzz`);
    expect(await page.getByRole('alert').textContent()).toBe(
      'Rien dans l’annuaire ne correspond à « zzzz ».',
    );
    await context.close();
  });

  it('names the archivist who opened a case, and places a hold chosen by name', async () => {
    const page = await phone.newPage();
    await page.goto(`${preau.url}/archive/cases`);
    await scriptsRunning(page);
    await page.getByLabel('Référence').fill('PV 2026/1010');
    await page.getByLabel('Autorité requérante').fill('Parquet de Rennes');
    await page.getByLabel('Fondement juridique').fill('Réquisition, art. 60-1 CPP');
    await page.getByRole('button', { name: 'Ouvrir le dossier' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dossier PV 2026/1010');
    await scriptsRunning(page);
    expect(await page.getByText(/^Ouvert le .* par Anne Lambert$/).count()).toBe(1);
    const crumbs = page.getByRole('navigation', { name: 'Fil d’Ariane' });
    expect(await crumbs.getByRole('link').allTextContents()).toEqual([
      'Accueil',
      'Archives',
      'Dossiers',
    ]);
    const space = await typeAndWait(page, 'Espace (classe, groupe ou projet)', 'anne 3e', /3e A/);
    await space.press('ArrowDown');
    await space.press('Enter');
    const person = await typeAndWait(page, 'Personne', 'léa bern', /Léa Bernard/);
    await person.press('ArrowDown');
    await person.press('Enter');
    await page.getByRole('button', { name: 'Placer la conservation' }).click();
    await expect.poll(() => page.locator('.state-held').count()).toBe(1);
    const hold = ((await page.locator('tbody tr').first().textContent()) ?? '').replace(
      /\s+/g,
      ' ',
    );
    expect(hold).toContain(`3e A (${COLLEGE}) · Léa Bernard`);
    expect(hold).toMatch(/placée le .* par Anne Lambert/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    const placed = (await readAudit(preau.services.database.db)).at(-1)!;
    expect(placed).toMatchObject({ action: 'hold.place', details: { space: SPACE, person: lea } });
    await page.close();
  });

  it('lets the DPO filter the audit log by person and action, and page through it', async () => {
    const archivist = await signInApi(preau.url, 'archiviste');
    for (let i = 0; i < 6; i++) {
      const res = await archivist.fetch(`/api/archive/search?space=${SPACE}&kind=chat.message`);
      expect(res.status).toBe(200);
    }
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, preau.url, 'dpo', '/dpo');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Journal d’audit des archives');

    // Whose names were shown to whom: the entries concerning Léa, named.
    const box = await typeAndWait(
      page,
      'Personne concernée (recherchée, conservée ou nommée)',
      'lea ber',
      /Léa Bernard/,
    );
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'recherche' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('concerning')).toBe(lea);
    const log = page.locator('section[aria-labelledby="audit-latest"] tbody tr');
    const rows = await log.allTextContents();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      expect(row).toContain('recherche');
      expect(row).toContain('Anne Lambert');
      expect(row).toMatch(/noms résolus : .*Léa Bernard/);
    }
    expect(rows.join('\n')).not.toContain('p_demo');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // Pages of five, newest first: older, then back to newer.
    const url = new URL(page.url());
    url.searchParams.set('limit', '5');
    await page.goto(url.href);
    const seqs = async () => (await log.locator('td:first-child').allTextContents()).map(Number);
    const first = await seqs();
    expect(first).toHaveLength(5);
    expect([...first].sort((a, b) => b - a)).toEqual(first);
    await page
      .getByRole('navigation', { name: 'Pages du journal' })
      .getByRole('link', { name: 'Entrées plus anciennes' })
      .click();
    await expect.poll(async () => (await seqs())[0]).toBeLessThan(first.at(-1)!);
    const second = await seqs();
    expect(second.length).toBeGreaterThan(0);
    expect(Math.max(...second)).toBeLessThan(Math.min(...first));
    await page.getByRole('link', { name: 'Entrées plus récentes' }).click();
    await expect.poll(seqs).toEqual(first);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // The reading itself is in the log, with its filters.
    const read = (await readAudit(preau.services.database.db)).at(-1)!;
    expect(read).toMatchObject({
      action: 'audit.read',
      role: 'dpo',
      details: { action: 'search', concerning: lea, limit: 5 },
    });
    await context.close();
  });
});
