import { randomBytes } from 'node:crypto';
import { silentLogger } from '@preau/protocol/server';
import { createSfuClient } from '@preau/sfu';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
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

// Two SFU processes driven as one cluster (SFU_URLS) by a running Préau; the
// one holding the class is killed with SIGKILL and never comes back: the
// class's media must come back on the other.
describe('a live class over two SFU processes, one killed', () => {
  const secret = randomBytes(24).toString('hex');
  const sfus: ServiceProcess[] = [];
  let preau: RunningPreau | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
    for (const s of sfus) await s.stop();
  });

  it('rebuilds the teacher’s camera on the surviving SFU within 5 s', {
    timeout: 300_000,
  }, async () => {
    for (let i = 0; i < 2; i++) {
      sfus.push(
        await startService(
          'sfu/src/main.ts',
          { SFU_RPC_PORT: '0', SFU_RPC_SECRET: secret, SFU_WORKERS: '1' },
          (e) => e.msg === 'sfu rpc listening',
        ),
      );
    }
    const urls = sfus.map((s) => String(s.ready.url));
    preau = await startTestPreau({ SFU_URLS: urls.join(','), SFU_RPC_SECRET: secret });
    browser = await launchChromium({ media: true });
    const open = async (login: string): Promise<Page> => {
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'] });
      await context.addInitScript(trackPeerConnections);
      const page = await context.newPage();
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

    // Which SFU holds the class: the one whose worker has a room.
    const roomsOn = async (url: string) => {
      const api = await createSfuClient(url, secret, silentLogger());
      try {
        return (await api.load()).workers.reduce((n, w) => n + w.rooms, 0);
      } finally {
        await api.close();
      }
    };
    const counts = await Promise.all(urls.map(roomsOn));
    expect(counts.filter((n) => n > 0)).toHaveLength(1);
    const victim = sfus[counts.findIndex((n) => n > 0)]!;
    const survivor = urls[counts.indexOf(0)]!;

    const connectionsBefore = await pupil.evaluate(
      () => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length,
    );
    await victim.crash();
    const crashedAt = Date.now();
    // The classroom server sees the node gone, tells both pages, and they
    // rebuild on the other SFU: the teacher's camera reaches the student again,
    // over connections opened after the crash (not frames still in a buffer).
    await expect
      .poll(() => framesOf(pupil, teacherId, connectionsBefore), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(0);
    const backAfter = Date.now() - crashedAt;
    console.info(`media back on the surviving SFU ${backAfter} ms after the SIGKILL`);
    expect(backAfter).toBeLessThan(5000);
    expect(await roomsOn(survivor)).toBe(1);
    expect(pupil.url()).toBe(teacher.url());
  });
});
