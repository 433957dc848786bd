import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const classId = classIdOf(DEMO_SCHOOLS.college.uai, '4e B');
const student = demoDirectory().accounts.find((a) => a.className === '4e B')!;

describe('a live class on a node at capacity', () => {
  let preau: RunningPreau;
  let browser: Browser;
  beforeAll(async () => {
    // A node that holds one connection: the teacher's.
    [preau, browser] = await Promise.all([
      startTestPreau({ LIVE_MAX_CONNECTIONS: '1', LIVE_RETRY_AFTER_SECONDS: '1' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('tells the student it will try again, politely, and gets in once there is room', async () => {
    const teacherContext = await browser.newContext();
    const teacher = await teacherContext.newPage();
    await signIn(teacher, preau.url, 'prof.martin');
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    await expect
      .poll(() => teacher.getByRole('status').first().textContent())
      .toContain('Connecté');

    const page = await (await browser.newContext()).newPage();
    await signIn(page, preau.url, student.login);
    await page.goto(teacher.url());
    const state = page.locator('.room-head [role="status"]');
    await expect
      .poll(() => state.textContent(), { timeout: 20_000 })
      .toMatch(/Classe très demandée : nouvel essai dans \d+ s/);
    expect(await state.getAttribute('aria-live')).toBe('polite');
    await expectAccessible(page);
    // Still refused while the teacher holds the only place.
    await page.waitForTimeout(2500);
    expect(await state.textContent()).toMatch(/Classe très demandée/);

    await teacherContext.close();
    await expect.poll(() => state.textContent(), { timeout: 60_000 }).toContain('Connecté');
    expect(await state.textContent()).not.toMatch(/très demandée/);
    await expect.poll(() => page.locator('h1').textContent()).not.toBe('');
  });
});
