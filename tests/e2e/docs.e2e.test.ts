import { classIdOf, DEMO_SCHOOLS, demoDirectory, readDocParts } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

/** Creates a document from the class's documents page and returns its id (the page opens it). */
async function createDoc(page: Page, baseUrl: string, title: string, kind: 'pad' | 'board') {
  await page.goto(`${baseUrl}/classes/${classA}/docs`);
  await page.getByLabel('Titre', { exact: true }).fill(title);
  await page.getByLabel('Type').selectOption(kind);
  await page.getByRole('button', { name: 'Créer', exact: true }).click();
  await page.waitForURL((u) => /^\/docs\/d[0-9a-f]+$/.test(u.pathname));
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

const saveState = (page: Page) => page.locator('.save-state').getAttribute('data-state');
/** The pad's text, without other people's carets (their names are drawn inside the text). */
const padText = (page: Page) =>
  page.locator('.pad-content').evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });

describe('pads in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacherCtx: BrowserContext;
  let studentCtx: BrowserContext;
  let teacher: Page;
  let pupil: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    teacherCtx = await browser.newContext();
    studentCtx = await browser.newContext();
    teacher = await teacherCtx.newPage();
    pupil = await studentCtx.newPage();
    for (const page of [teacher, pupil]) page.on('pageerror', (e) => problems.push(e.message));
    await signIn(teacher, preau.url, 'prof.martin');
    await signIn(pupil, preau.url, student.login);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('lists the class’s documents from the class page', async () => {
    await teacher.goto(`${preau.url}/classes/${classA}`);
    await teacher.getByRole('link', { name: 'Documents et tableaux' }).click();
    await teacher.waitForURL(`**/classes/${classA}/docs`);
    expect(await teacher.locator('h1').textContent()).toContain('Documents et tableaux');
  });

  it('two people edit the same pad live and converge; both see each other’s caret and "saved"', async () => {
    const docId = await createDoc(teacher, preau.url, 'Compte rendu', 'pad');
    await pupil.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => saveState(pupil)).toBe('saved');

    await teacher.locator('.pad-content').click();
    await teacher.getByRole('button', { name: 'Titre 1' }).click();
    await teacher.keyboard.type('Sortie au musée');
    await teacher.keyboard.press('Enter');
    await teacher.keyboard.type('Rendez-vous à 9 h.');
    await expect.poll(() => padText(pupil)).toContain('Rendez-vous à 9 h.');

    await pupil.locator('.pad-content p').last().click();
    await pupil.keyboard.press('End');
    await pupil.keyboard.press('Enter');
    await pupil.getByRole('button', { name: 'Gras' }).click();
    await pupil.keyboard.type('Je viendrai');
    await expect.poll(() => padText(teacher)).toContain('Je viendrai');
    await expect.poll(async () => (await padText(teacher)) === (await padText(pupil))).toBe(true);
    expect(await teacher.locator('.pad-content h1').textContent()).toBe('Sortie au musée');
    expect(await teacher.locator('.pad-content strong').textContent()).toBe('Je viendrai');
    // Live carets carry the other person's name.
    await expect
      .poll(() => teacher.locator('.collaboration-carets__label').allTextContents())
      .toContain(student.name);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => saveState(pupil)).toBe('saved');

    // Saved means stored: the database holds both people's updates.
    const parts = await readDocParts(preau.services.database.db, docId);
    expect(new Set(parts.updates.map((u) => u.author)).size).toBe(2);

    // Undo goes through Yjs: the pupil's undo removes only their own text.
    await pupil.getByRole('button', { name: 'Annuler' }).click();
    await expect.poll(() => padText(teacher)).not.toContain('Je viendrai');
    expect(await padText(teacher)).toContain('Rendez-vous à 9 h.');
    await pupil.getByRole('button', { name: 'Rétablir' }).click();
    await expect.poll(() => padText(teacher)).toContain('Je viendrai');
    await expect.poll(() => saveState(pupil)).toBe('saved');

    // History: a timeslider over every stored update, coloured by author, and a restore.
    await teacher.goto(`${preau.url}/docs/${docId}/history`);
    const legend = teacher.locator('.author-legend li');
    await expect
      .poll(() => legend.allTextContents())
      .toEqual(expect.arrayContaining(['Claire Martin', student.name]));
    const slider = teacher.getByLabel('Version', { exact: true });
    const total = Number(await slider.getAttribute('max'));
    expect(total).toBeGreaterThan(2);
    await expect
      .poll(() => teacher.locator('.doc-version [data-author]').count())
      .toBeGreaterThan(1);
    // Back to a version before the pupil wrote anything.
    const before = parts.updates.findIndex((u) => u.author !== parts.updates[0]!.author);
    const target = parts.updates[before - 1]!.seq;
    await slider.fill(String(target));
    await expect
      .poll(() => teacher.locator('.doc-version').getAttribute('data-seq'))
      .toBe(String(target));
    const oldText = await teacher.locator('.doc-version').innerText();
    expect(oldText).not.toContain('Je viendrai');
    teacher.once('dialog', (d) => void d.accept());
    await teacher.getByRole('button', { name: 'Restaurer cette version' }).click();
    await expect.poll(() => teacher.locator('.notice').textContent()).toContain('restaurée');
    // The pupil's live pad follows, and the history grew instead of shrinking.
    await expect.poll(() => padText(pupil)).not.toContain('Je viendrai');
    expect(Number(await slider.getAttribute('max'))).toBeGreaterThan(total);
    const after = await readDocParts(preau.services.database.db, docId);
    expect(after.updates.length + (after.snapshot ? 1 : 0)).toBeGreaterThan(parts.updates.length);
    expect(problems).toEqual([]);
  });

  it('keeps an archived pad readable but read-only, refused by the server', async () => {
    const docId = await createDoc(teacher, preau.url, 'À archiver', 'pad');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Texte final');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    teacher.once('dialog', (d) => void d.accept());
    await teacher
      .locator(`li[data-doc="${docId}"]`)
      .getByRole('button', { name: /^Archiver/ })
      .click();
    await expect
      .poll(() => teacher.locator(`li[data-doc="${docId}"]`).textContent())
      .toContain('archivé');
    await pupil.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => saveState(pupil)).toBe('readonly');
    await expect.poll(() => padText(pupil)).toContain('Texte final');
    expect(await pupil.locator('.pad-content').getAttribute('contenteditable')).toBe('false');
    expect(await pupil.getByRole('toolbar').count()).toBe(0);
  });
});
