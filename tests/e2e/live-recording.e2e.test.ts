import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const student = demoDirectory().accounts.find((a) => a.className === CLASS)!;

// A teacher records a live class in Chromium with fake camera and
// microphone: the student sees and hears of it, is told before joining,
// and both find the recording listed and playable once it is saved.
describe('recording a live class', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let pupil: Page;
  let liveTab: string;

  async function open(login: string): Promise<Page> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
    await signIn(page, preau.url, login);
    return page;
  }
  /** The machine may be slow: what a person would wait for, not a timing. */
  const WAIT = { timeout: 20_000 };
  const connected = (page: Page) =>
    expect.poll(() => page.getByRole('status').first().textContent(), WAIT).toContain('Connecté');

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    teacher = await open('prof.martin');
    pupil = await open(student.login);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('starts, shows, announces, tells newcomers, stops, lists and plays', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    liveTab = teacher.url();
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    const room = teacher.url();
    await connected(teacher);
    await teacher.getByRole('button', { name: 'Activer la caméra' }).click();
    await teacher.getByRole('button', { name: 'Activer le micro' }).click();

    await pupil.goto(room);
    await connected(pupil);
    expect(await pupil.getByRole('button', { name: 'Démarrer l’enregistrement' }).count()).toBe(0);

    teacher.once('dialog', (d) => d.accept());
    await teacher.getByRole('button', { name: 'Démarrer l’enregistrement' }).click();
    await teacher.getByRole('button', { name: 'Arrêter l’enregistrement' }).waitFor();
    // The student sees it and their screen reader is told.
    await expect
      .poll(() => pupil.getByTestId('recording-bar').textContent(), WAIT)
      .toContain('Enregistrement en cours');
    await expect
      .poll(() => pupil.getByTestId('recording-announce').textContent(), WAIT)
      .toContain('Le cours est maintenant enregistré.');

    // Someone coming to the class is told before entering.
    await pupil.goto(liveTab);
    await expect
      .poll(() => pupil.getByTestId('recording-prejoin').textContent(), WAIT)
      .toContain('en cours d’enregistrement');
    await expectAccessible(pupil);
    await pupil.getByRole('link', { name: /Rejoindre/ }).click();
    await connected(pupil);
    await expect
      .poll(() => pupil.getByTestId('recording-bar').textContent(), WAIT)
      .toContain('Enregistrement en cours');

    // Breakout rooms while recording: everyone is told that only the main room is.
    const panel = teacher.locator('section.breakouts');
    await panel.getByText('Préparer des salles de groupe').click();
    await panel.getByRole('button', { name: 'Ouvrir les salles' }).click();
    await expect
      .poll(() => pupil.locator('[data-recorded-room]').textContent(), WAIT)
      .toContain('Seule la salle principale est enregistrée');
    // On a phone the recording's label stays whole (its time goes under it).
    await pupil.setViewportSize({ width: 390, height: 844 });
    const label = pupil.getByTestId('recording-bar').locator('strong');
    expect(
      await label.evaluate(
        (el) =>
          el.getBoundingClientRect().height < 2 * Number.parseFloat(getComputedStyle(el).fontSize),
      ),
    ).toBe(true);
    await pupil.setViewportSize({ width: 1280, height: 720 });
    teacher.once('dialog', (d) => d.accept());
    await panel.getByRole('button', { name: 'Rappeler tout le monde' }).click();
    await expect.poll(() => pupil.locator('[data-recorded-room]').count(), WAIT).toBe(0);

    await teacher.waitForTimeout(8_000);
    await teacher.getByRole('button', { name: 'Arrêter l’enregistrement' }).click();
    await expect
      .poll(() => teacher.getByTestId('recording-bar').textContent(), { timeout: 30_000 })
      .toContain('sauvegardé');
    await expect
      .poll(() => pupil.getByTestId('recording-announce').textContent(), WAIT)
      .toContain('arrêté');
    expect(await pupil.getByTestId('recording-bar').textContent()).not.toContain(
      'Enregistrement en cours',
    );

    // Listed on the live tab, and playable: the video's metadata loads (a few seconds long).
    for (const page of [pupil, teacher]) {
      await page.goto(liveTab);
      await page.reload();
      const item = page.getByTestId('recording-item');
      await expect.poll(() => item.count()).toBe(1);
      const video = item.locator('video');
      await expect
        .poll(
          () =>
            video.evaluate((v: HTMLVideoElement) =>
              v.readyState >= 1 && Number.isFinite(v.duration) ? v.duration : 0,
            ),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(4);
      expect(await page.getByTestId('recording-prejoin').count()).toBe(0);
    }
    await expectAccessible(teacher);
  }, 180_000);
});
