import { randomBytes } from 'node:crypto';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { framesOf, trackPeerConnections } from '../support/frames';
import { startTestPreau } from '../support/preau';
import { type ServiceProcess, startService } from '../support/service';
import { signIn } from '../support/signin';

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const student = demoDirectory().accounts.find((a) => a.className === CLASS)!;

// The SFU as its own process, driven by the classroom server of a running
// Préau; killed with SIGKILL while a teacher's camera reaches a student, then
// started again on the same address, as a supervisor would.
describe('the SFU process killed with SIGKILL during a live class', () => {
  const secret = randomBytes(24).toString('hex');
  const sfus: ServiceProcess[] = [];
  let preau: RunningPreau | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
    for (const s of sfus) await s.stop();
  });

  it('rebuilds the media of everyone in the class within 5 s of its restart', {
    timeout: 300_000,
  }, async () => {
    const startSfu = async (port: string) => {
      const s = await startService(
        'sfu/src/main.ts',
        { SFU_RPC_PORT: port, SFU_RPC_SECRET: secret, SFU_WORKERS: '1' },
        (e) => e.msg === 'sfu rpc listening',
      );
      sfus.push(s);
      return s;
    };
    const first = await startSfu('0');
    const sfuPort = String(first.ready.port);
    preau = await startTestPreau({ SFU_URL: String(first.ready.url), SFU_RPC_SECRET: secret });
    browser = await launchChromium({ media: true });
    const open = async (login: string) => {
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'] });
      await context.addInitScript(trackPeerConnections);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'warning' || m.type() === 'error') console.error(`[${login}] ${m.text()}`);
      });
      await signIn(page, preau!.url, login);
      return page;
    };
    const teacher = await open('prof.martin');
    const pupil = await open(student.login);
    const teacherId = (
      await preau.services.database.db
        .selectFrom('person')
        .select('id')
        .where('login', '=', 'prof.martin')
        .executeTakeFirstOrThrow()
    ).id;

    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    await expect
      .poll(() => teacher.getByRole('status').first().textContent())
      .toContain('Connecté');
    await pupil.goto(teacher.url());
    await expect.poll(() => pupil.getByRole('status').first().textContent()).toContain('Connecté');
    await teacher.getByRole('button', { name: 'Activer la caméra' }).click();
    const tile = pupil.locator(`figure[data-participant="${teacherId}"][data-source="camera"]`);
    await tile.scrollIntoViewIfNeeded();
    await expect.poll(() => framesOf(pupil, teacherId), { timeout: 30_000 }).toBeGreaterThan(0);

    await first.crash();
    // Frames stop: nothing reaches the student while the SFU is down.
    await expect
      .poll(
        async () => {
          const before = await framesOf(pupil, teacherId);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          return (await framesOf(pupil, teacherId)) - before;
        },
        { timeout: 20_000, interval: 0 },
      )
      .toBe(0);

    const second = await startSfu(sfuPort);
    // The classroom server finds the new SFU, tells both pages, and they
    // rebuild their transports: the teacher's camera reaches the student again.
    await expect
      .poll(
        async () => {
          const before = await framesOf(pupil, teacherId);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return (await framesOf(pupil, teacherId)) > before;
        },
        { timeout: 20_000, interval: 0 },
      )
      .toBe(true);
    expect(Date.now() - second.readyAt).toBeLessThan(5000);
    // Still the same live session for both, without a reload.
    expect(pupil.url()).toBe(teacher.url());
    await expect.poll(() => pupil.getByRole('status').first().textContent()).toContain('Connecté');
  });
});
