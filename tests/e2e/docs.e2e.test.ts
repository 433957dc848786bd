import { classIdOf, DEMO_SCHOOLS, demoDirectory, readDocParts } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { createDocFromPage, padText, padToolbar, saveState } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;
const createDoc = (page: Page, baseUrl: string, title: string, kind: 'pad' | 'board') =>
  createDocFromPage(page, baseUrl, classA, title, kind);

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
    await teacher.waitForURL(`**/espaces/class_${classA}/documents`);
    expect(await teacher.locator('h1').textContent()).toContain('Documents et tableaux');
  });

  it('two people edit the same pad live and converge; both see each other’s caret and "saved"', async () => {
    const docId = await createDoc(teacher, preau.url, 'Compte rendu', 'pad');
    await pupil.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => saveState(pupil)).toBe('saved');

    await teacher.locator('.pad-content').click();
    await padToolbar(teacher, 'Titre 1');
    await teacher.keyboard.type('Sortie au musée');
    await teacher.keyboard.press('Enter');
    await teacher.keyboard.type('Rendez-vous à 9 h.');
    await expect.poll(() => padText(pupil)).toContain('Rendez-vous à 9 h.');

    await pupil.locator('.pad-content p').last().click();
    await pupil.keyboard.press('End');
    await pupil.keyboard.press('Enter');
    await padToolbar(pupil, 'Gras');
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
    // Moved before the page's scripts run, the slider would show the version with
    // nothing to fetch it: it is usable once they run, and never without them.
    const noScripts = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await teacherCtx.storageState(),
    });
    const still = await noScripts.newPage();
    await still.goto(`${preau.url}/docs/${docId}/history`);
    expect(await still.getByLabel('Version', { exact: true }).isDisabled()).toBe(true);
    await noScripts.close();
    await scriptsRunning(teacher);
    expect(await slider.isDisabled()).toBe(false);
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
    await expect.poll(async () => Number(await slider.getAttribute('max'))).toBeGreaterThan(total);
    const after = await readDocParts(preau.services.database.db, docId);
    expect(after.updates.length + (after.snapshot ? 1 : 0)).toBeGreaterThan(parts.updates.length);

    // The pupil reads the same history but may not undo the class's work: the
    // page says so, and the API refuses the state a restore needs and its record.
    await pupil.goto(`${preau.url}/docs/${docId}/history`);
    await expect
      .poll(() => pupil.locator('.history-readonly').textContent())
      .toContain('réservé aux enseignants');
    expect(await pupil.getByRole('button', { name: 'Restaurer cette version' }).count()).toBe(0);
    const refused = await pupil.evaluate(async (id) => {
      const state = await fetch(`/api/docs/${id}/history/version?seq=1&state=1`);
      const restored = await fetch(`/api/docs/${id}/restored`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seq: 1 }),
      });
      return [state.status, (await state.json()).error?.code, restored.status];
    }, docId);
    expect(refused).toEqual([403, 'forbidden', 403]);
    expect(problems).toEqual([]);
  });

  it('passes axe on the documents list, a pad, a board (around the drawing) and a history', async () => {
    const padId = await createDoc(teacher, preau.url, 'Accessible', 'pad');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Du texte.');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expectAccessible(teacher);
    await teacher.goto(`${preau.url}/docs/${padId}/history`);
    await expectAccessible(teacher);
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    await expectAccessible(teacher);
    // On a phone the toolbar wraps and the pad stays usable.
    const phone = await teacherCtx.newPage();
    await phone.setViewportSize({ width: 375, height: 740 });
    await phone.goto(`${preau.url}/docs/${padId}`);
    await expect.poll(() => saveState(phone)).toBe('saved');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await phone.close();
    // Excalidraw's canvas is a third-party widget; the page around it is checked.
    await createDoc(teacher, preau.url, 'Tableau accessible', 'board');
    await expect
      .poll(() => teacher.getByRole('button', { name: 'Exporter en PNG' }).isEnabled())
      .toBe(true);
    await expectAccessible(teacher, { exclude: '.board-host' });
  });

  it('puts pad images in object storage, served back to members only', async () => {
    const docId = await createDoc(teacher, preau.url, 'Avec image', 'pad');
    await pupil.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher
      .locator('.pad-toolbar input[type="file"]')
      .setInputFiles({ name: 'point.png', mimeType: 'image/png', buffer: PNG });
    const img = pupil.locator('.pad-content img');
    await expect.poll(() => img.count()).toBe(1);
    const src = (await img.getAttribute('src'))!;
    expect(src).toMatch(new RegExp(`^/api/docs/${docId}/files/f[0-9a-f]+$`));
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(2);
    const stored = await preau.services.objects.list(`docs/${docId}/files/`);
    expect(stored).toHaveLength(1);
    // A teacher of another class may not read it; a script disguised as an image is refused.
    const outsider = await signInApi(preau.url, 'prof.thomas');
    expect((await outsider.fetch(src)).status).toBe(403);
    const member = await signInApi(preau.url, 'prof.martin');
    const res = await fetch(new URL(`/api/docs/${docId}/files`, preau.url), {
      method: 'POST',
      headers: { ...member.headers(), 'content-type': 'image/png' },
      body: '<script>alert(1)</script>',
    });
    expect(res.status).toBe(400);
  });

  it('opens the class’s pad and board beside the video in a live class', async () => {
    const padId = await createDoc(teacher, preau.url, 'Notes de la séance', 'pad');
    const boardId = await createDoc(teacher, preau.url, 'Schéma de la séance', 'board');
    await teacher.goto(`${preau.url}/classes/${classA}/live`);
    await scriptsRunning(teacher);
    await teacher.getByLabel('Titre (facultatif)').fill('Séance avec documents');
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    const docs = teacher.getByRole('navigation', { name: 'Documents de la classe' });
    await docs.getByRole('button', { name: 'Notes de la séance' }).click();
    const panel = teacher.locator(`.room-body .doc-panel[data-doc="${padId}"]`);
    await expect.poll(() => panel.getAttribute('data-kind')).toBe('pad');
    // The video stays on the page, beside the document.
    expect(await teacher.locator('.room-body .stage').isVisible()).toBe(true);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await panel.locator('.pad-content').click();
    await teacher.keyboard.type('Question 1 : pourquoi 1789 ?');

    await pupil.goto(`${preau.url}/classes/${classA}/live`);
    await pupil.getByRole('link', { name: 'Rejoindre « Séance avec documents »' }).click();
    await pupil.waitForURL(/\/direct\/ls_/);
    await pupil.getByRole('button', { name: 'Notes de la séance' }).click();
    await expect.poll(() => padText(pupil)).toContain('Question 1 : pourquoi 1789 ?');
    expect(
      await pupil.getByRole('button', { name: 'Notes de la séance' }).getAttribute('aria-pressed'),
    ).toBe('true');

    // One click switches to the board; the pad's link opens it alone in a new tab.
    await pupil.getByRole('button', { name: 'Schéma de la séance' }).click();
    await expect
      .poll(() => pupil.locator(`.doc-panel[data-doc="${boardId}"]`).getAttribute('data-kind'))
      .toBe('board');
    await expect.poll(() => pupil.locator('.board-host canvas').count()).toBeGreaterThan(0);
    expect(await pupil.locator('.doc-panel').count()).toBe(1);
    await pupil.getByRole('button', { name: 'Fermer le document' }).click();
    expect(await pupil.locator('.doc-panel').count()).toBe(0);
    teacher.once('dialog', (dialog) => dialog.accept());
    await teacher.getByRole('button', { name: 'Terminer pour tous' }).click();
    await expect.poll(() => pupil.getByRole('alert').first().textContent()).toContain('terminée');
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
