import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import {
  boardBox,
  boardCount,
  createDocFromPage,
  drawOnBoard,
  lastStoredSeq,
  padText,
  saveState,
  storedElements,
} from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

/**
 * What a person keeps must survive everything a browser does to a page:
 * reload, navigating away and back, a second browser, losing the network.
 * A board once emptied itself on reload (Excalidraw's late start-up wrote an
 * empty scene over the synced one); these tests make sure it never comes back.
 */
const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

describe('documents survive reloads, navigation, a second browser and the network', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacherCtx: BrowserContext;
  let teacher: Page;
  let pupil: Page;
  const errors: string[] = [];

  /** Opens the document page and waits until its content is synced and shown. */
  async function open(page: Page, docId: string) {
    await page.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => saveState(page)).toMatch(/^(saved|readonly)$/);
  }

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    teacherCtx = await browser.newContext();
    teacher = await teacherCtx.newPage();
    pupil = await (await browser.newContext()).newPage();
    for (const page of [teacher, pupil]) page.on('pageerror', (e) => errors.push(e.message));
    await signIn(teacher, preau.url, 'prof.martin');
    await signIn(pupil, preau.url, student.login);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('a board keeps its drawing through reload, back and forth, a second browser and offline', async () => {
    const docId = await createDocFromPage(teacher, preau.url, classA, 'Schéma', 'board');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await drawOnBoard(teacher, 'r', [450, 120], [570, 200]);
    await drawOnBoard(teacher, 'o', [640, 120], [740, 220]);
    // Text too: its font loads after the scene, which must not count as a change.
    const box = await boardBox(teacher);
    await teacher.mouse.dblclick(box.x + 460, box.y + 330);
    await expect
      .poll(() => teacher.evaluate(() => document.activeElement?.tagName))
      .toBe('TEXTAREA');
    await teacher.keyboard.type('Idée');
    await teacher.keyboard.press('Escape');
    await expect.poll(() => boardCount(teacher)).toBe('3');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(async () => (await storedElements(preau, docId)).elements.length).toBe(3);
    const seq = await lastStoredSeq(preau, docId);

    // Reload, several times, quickly: the race with Excalidraw's start-up.
    for (let i = 0; i < 3; i++) {
      await teacher.reload();
      await expect.poll(() => saveState(teacher)).toBe('saved');
      await expect.poll(() => boardCount(teacher)).toBe('3');
    }
    // Away to the class's documents and back (history navigation).
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    await teacher.goBack();
    await expect.poll(() => boardCount(teacher)).toBe('3');
    // A second browser sees it too.
    await open(pupil, docId);
    await expect.poll(() => boardCount(pupil)).toBe('3');
    // Nothing of this wrote to the board.
    expect(await lastStoredSeq(preau, docId)).toBe(seq);

    // Offline: the page says so; a reload without network fails, and the
    // board is whole again once back online.
    await teacherCtx.setOffline(true);
    await expect.poll(() => saveState(teacher)).toBe('offline');
    await teacher.reload().catch(() => undefined);
    await teacherCtx.setOffline(false);
    await open(teacher, docId);
    await expect.poll(() => boardCount(teacher)).toBe('3');
    await expect.poll(() => boardCount(pupil)).toBe('3');
    expect(await lastStoredSeq(preau, docId)).toBe(seq);

    // Offline, draw, back online without reloading: the drawing reaches everyone.
    await teacherCtx.setOffline(true);
    await expect.poll(() => saveState(teacher)).toBe('offline');
    await drawOnBoard(teacher, 'd', [480, 260], [560, 330]);
    await teacherCtx.setOffline(false);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => boardCount(pupil)).toBe('4');
    await teacher.reload();
    await expect.poll(() => boardCount(teacher)).toBe('4');
    const { elements } = await storedElements(preau, docId);
    expect(elements.map((e) => e.type).sort()).toEqual(['diamond', 'ellipse', 'rectangle', 'text']);
  });

  it('a pad keeps its text through reload, back and forth, a second browser and offline', async () => {
    const docId = await createDocFromPage(teacher, preau.url, classA, 'Résumé', 'pad');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('La Loire prend sa source au mont Gerbier-de-Jonc.');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    const seq = await lastStoredSeq(preau, docId);

    for (let i = 0; i < 3; i++) {
      await teacher.reload();
      await expect.poll(() => padText(teacher)).toContain('mont Gerbier-de-Jonc');
    }
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    await teacher.goBack();
    await expect.poll(() => padText(teacher)).toContain('mont Gerbier-de-Jonc');
    await open(pupil, docId);
    await expect.poll(() => padText(pupil)).toContain('mont Gerbier-de-Jonc');
    expect(await lastStoredSeq(preau, docId)).toBe(seq);

    await teacherCtx.setOffline(true);
    await expect.poll(() => saveState(teacher)).toBe('offline');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.press('End');
    await teacher.keyboard.type(' Elle se jette dans l’Atlantique.');
    await teacherCtx.setOffline(false);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => padText(pupil)).toContain('l’Atlantique');
    await teacher.reload().catch(() => undefined);
    await expect.poll(() => padText(teacher)).toContain('l’Atlantique');
    expect(await padText(teacher)).toContain('mont Gerbier-de-Jonc');
  });

  it('opening and reloading a document ten times without touching it stores nothing', async () => {
    const pad = await createDocFromPage(teacher, preau.url, classA, 'Vide', 'pad');
    const board = await createDocFromPage(teacher, preau.url, classA, 'Vide aussi', 'board');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    const before = [await lastStoredSeq(preau, pad), await lastStoredSeq(preau, board)];
    for (const docId of [pad, board]) {
      for (let i = 0; i < 5; i++) {
        await open(teacher, docId);
        await open(pupil, docId);
        await teacher.reload();
        await expect.poll(() => saveState(teacher)).toBe('saved');
      }
    }
    // Give any late write time to arrive before reading the history.
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    await pupil.goto(`${preau.url}/classes/${classA}/docs`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([await lastStoredSeq(preau, pad), await lastStoredSeq(preau, board)]).toEqual(before);
    expect(errors).toEqual([]);
    // Thirty page loads: over a minute on a loaded machine.
  }, 150_000);
});
