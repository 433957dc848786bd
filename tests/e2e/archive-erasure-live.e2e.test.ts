import { classSpaceId } from '@preau/protocol';
import {
  classIdOf,
  DEMO_SCHOOLS,
  readDocParts,
  storedDocBytes,
  storedDocStrings,
} from '@preau/storage';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { padText, saveState } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const CLASS = classIdOf(DEMO_SCHOOLS.college.uai, '4e B');
const HUGO_TEXT = 'Hugo note son adresse : 3 rue des Lilas.';

describe('erasure reaches a pad open in Chromium and its stored history', () => {
  let preau: RunningPreau;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('the teacher’s open pad loses the student’s text live; the history keeps none of it and says why', async () => {
    const teacher = await (await browser.newContext()).newPage();
    const hugoCtx = await browser.newContext();
    const hugo = await hugoCtx.newPage();
    for (const page of [teacher, hugo]) page.on('pageerror', (e) => problems.push(e.message));
    await signIn(teacher, preau.url, 'prof.martin');
    await signIn(hugo, preau.url, 'eleve.hugo.petit');

    // The teacher creates a pad and writes; Hugo writes in it too.
    await teacher.goto(`${preau.url}/classes/${CLASS}/docs`);
    await scriptsRunning(teacher);
    await teacher.getByLabel('Titre', { exact: true }).fill('Fiche de renseignements');
    await teacher.getByLabel('Type').selectOption('pad');
    await teacher.getByRole('button', { name: 'Créer', exact: true }).click();
    await teacher.waitForURL((u) => /^\/docs\/d[0-9a-f]+$/.test(u.pathname));
    const docId = new URL(teacher.url()).pathname.split('/').at(-1)!;
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Consigne du professeur.');
    await hugo.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => padText(hugo)).toContain('Consigne du professeur.');
    await hugo.locator('.pad-content p').last().click();
    await hugo.keyboard.press('End');
    await hugo.keyboard.press('Enter');
    await hugo.keyboard.type(HUGO_TEXT);
    await expect.poll(() => padText(teacher)).toContain(HUGO_TEXT);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => saveState(hugo)).toBe('saved');
    const db = preau.services.database.db;
    expect(await storedDocStrings(db, docId)).toContain(HUGO_TEXT);
    /** Nothing of Hugo's text in the stored rows: neither their raw bytes nor their decoded strings. */
    const nothingOfHugo = async () => {
      const bytes = await storedDocBytes(db, docId);
      const strings = await storedDocStrings(db, docId);
      return ['Lilas', 'adresse'].every(
        (w) => !bytes.includes(Buffer.from(w)) && !strings.includes(w),
      );
    };

    // Hugo asks for erasure from his data page, the pad still open in another tab.
    const rights = await hugoCtx.newPage();
    await rights.goto(`${preau.url}/me/data`);
    await scriptsRunning(rights);
    await rights.getByLabel('Je confirme vouloir effacer mes données').check();
    await rights.getByRole('button', { name: 'Effacer mes données' }).click();
    await expect
      .poll(() => rights.getByRole('status').textContent())
      .toContain(`Documents réécrits sans votre texte : ${classSpaceId(CLASS)}/${docId}`);

    // Both open copies drop the text at once; the teacher's stays.
    await expect.poll(() => padText(teacher)).not.toContain('rue des Lilas');
    await expect.poll(() => padText(hugo)).not.toContain('rue des Lilas');
    expect(await padText(teacher)).toContain('Consigne du professeur.');
    // No byte of it is left in the stored updates or snapshots.
    expect(await nothingOfHugo()).toBe(true);

    // The teacher goes on writing; it is stored, and the text never comes back.
    await teacher.locator('.pad-content p').first().click();
    await teacher.keyboard.press('End');
    await teacher.keyboard.type(' Merci.');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    const parts = await readDocParts(db, docId);
    expect(parts.updates.at(-1)?.author).not.toBe('system');
    expect(await storedDocStrings(db, docId)).toContain('Merci.');
    expect(await nothingOfHugo()).toBe(true);

    // The history says its earlier versions were merged, and why; none shows the text.
    await teacher.goto(`${preau.url}/docs/${docId}/history`);
    await expect
      .poll(() => teacher.locator('.history-base').textContent())
      .toContain('droit à l’effacement');
    const slider = teacher.getByLabel('Version', { exact: true });
    expect(Number(await slider.getAttribute('min'))).toBe(parts.base);
    // Moved before the page's scripts run, the slider would show the version with nothing to fetch it.
    await scriptsRunning(teacher);
    await slider.fill(String(parts.base));
    await expect
      .poll(() => teacher.locator('.doc-version').getAttribute('data-seq'))
      .toBe(String(parts.base));
    expect(await teacher.locator('.doc-version').innerText()).toContain('Consigne du professeur.');
    expect(await teacher.locator('.doc-version').innerText()).not.toContain('rue des Lilas');
    expect(await teacher.locator('.version-meta').textContent()).toContain(
      'versions antérieures réunies',
    );
    await expectAccessible(teacher);
    expect(problems).toEqual([]);
  });
});
