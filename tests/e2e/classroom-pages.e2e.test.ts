import { classIdOf, classRoster, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const classId = classIdOf(DEMO_SCHOOLS.college.uai, '4e B');
const student = demoDirectory().accounts.find((a) => a.className === '4e B')!;

describe('the live class pages: accessible, in French and English, on a phone', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    teacher = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
    await signIn(teacher, preau.url, 'prof.martin');
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('lets a teacher start a session from the class, and passes axe on the way', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}`);
    await teacher.locator('#class-links').getByRole('link', { name: 'Classe en direct' }).click();
    await expect.poll(() => teacher.locator('h1').textContent()).toBe('Classe en direct — 4e B');
    await expectAccessible(teacher);
    await teacher.getByLabel('Titre (facultatif)').fill('Histoire : la Révolution');
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    await expect.poll(() => teacher.locator('h1').textContent()).toBe('Histoire : la Révolution');
    await expect
      .poll(() => teacher.getByRole('status').first().textContent())
      .toContain('Connecté');
    await teacher.getByRole('button', { name: 'Activer la caméra' }).click();
    await expect.poll(() => teacher.locator('figure video').count()).toBe(1);
    await expectAccessible(teacher);
  });

  it('shows a student the room in English, usable on a phone, without teacher controls', async () => {
    const context = await browser.newContext({
      permissions: ['camera', 'microphone'],
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await signIn(page, preau.url, student.login);
    await context.addCookies([{ name: 'lang', value: 'en', url: preau.url }]);
    await page.goto(`${preau.url}/classes/${classId}/live`);
    await page.getByRole('link', { name: 'Join “Histoire : la Révolution”' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connected');
    expect(await page.getByRole('button', { name: 'End for everyone' }).count()).toBe(0);
    // Joining after the teacher's camera went on, the student sees it.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const video = document.querySelector<HTMLVideoElement>(
            'figure[data-source="camera"] video',
          );
          video?.scrollIntoView({ block: 'nearest' });
          return video?.videoWidth ?? 0;
        }),
      )
      .toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Raise hand' }).isVisible()).toBe(true);
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);

    // A student may not start a session, even by posting the form by hand.
    const posted = await page.request.post(`${preau.url}/classes/${classId}/live?/start`, {
      form: { title: 'x' },
      headers: { origin: new URL(preau.url).origin },
    });
    expect(posted.status()).toBe(403);
  });

  it('shows the teacher the attendance after the end, accessible too', async () => {
    teacher.once('dialog', (d) => d.accept());
    await teacher.getByRole('button', { name: 'Terminer pour tous' }).click();
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('link', { name: /Présences — Histoire/ }).click();
    // Every member of the class is listed; the two who came are present.
    const members = (await classRoster(preau.services.database.db, classId)).length;
    await expect.poll(() => teacher.locator('tbody tr').count()).toBe(members);
    expect(await teacher.locator('tbody tr:not(.absent)').count()).toBe(2);
    await expectAccessible(teacher);
  });
});
