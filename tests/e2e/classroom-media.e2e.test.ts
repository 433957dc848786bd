import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

/** Counts every RTCPeerConnection a page opens, so the test can read their stats (test only). */
function trackPeerConnections() {
  const w = window as unknown as { __pcs: RTCPeerConnection[] };
  w.__pcs = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  } as typeof RTCPeerConnection;
}

interface Inbound {
  kind: string;
  trackIdentifier: string;
  packetsReceived: number;
  framesDecoded: number;
}

/** The counters of what a page receives, keyed by the track shown for a participant and source. */
async function received(page: Page, participantId: string, what: 'camera' | 'screen' | 'audio') {
  return page.evaluate(
    async ({ participantId, what }) => {
      const el =
        what === 'audio'
          ? document.querySelector<HTMLMediaElement>(`audio[data-participant="${participantId}"]`)
          : document.querySelector<HTMLMediaElement>(
              `figure[data-participant="${participantId}"][data-source="${what}"] video`,
            );
      const track = (el?.srcObject as MediaStream | null)?.getTracks()[0];
      if (!track) return null;
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const pc of pcs) {
        const report = await pc.getStats();
        for (const s of report.values()) {
          const stat = s as Inbound & { type: string };
          if (stat.type === 'inbound-rtp' && stat.trackIdentifier === track.id) {
            return { packets: stat.packetsReceived, frames: stat.framesDecoded ?? 0 };
          }
        }
      }
      return { packets: 0, frames: 0 };
    },
    { participantId, what },
  );
}

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const students = demoDirectory()
  .accounts.filter((a) => a.className === CLASS)
  .slice(0, 2);

interface Person {
  login: string;
  context: BrowserContext;
  page: Page;
  id: string;
}

describe('a live class in Chromium with fake cameras and microphones', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Person;
  let alice: Person;
  let bob: Person;

  async function person(login: string): Promise<Person> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
    await signIn(page, preau.url, login);
    const id = await preau.services.database.db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return { login, context, page, id: id.id };
  }

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    [teacher, alice, bob] = [
      await person('prof.martin'),
      await person(students[0]!.login),
      await person(students[1]!.login),
    ];
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('a teacher starts a live class; students see it on their home page and join in one click', async () => {
    const { page } = teacher;
    await page.goto(`${preau.url}/classes/${classId}/live`);
    await page.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await page.waitForURL(/\/live\/ls_/);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connecté');

    for (const student of [alice, bob]) {
      await student.page.goto(preau.url);
      await student.page
        .locator('#sessions-en-direct')
        .getByRole('link', { name: /Rejoindre/ })
        .click();
      await student.page.waitForURL(/\/live\/ls_/);
      await expect
        .poll(() => student.page.getByRole('status').first().textContent())
        .toContain('Connecté');
    }
    await expect.poll(() => page.locator('figure[data-source="camera"]').count()).toBe(3);
  });

  it('each participant receives the others’ video (frames decoded) and audio (packets)', async () => {
    for (const p of [teacher, alice, bob]) {
      await p.page.getByRole('button', { name: 'Activer la caméra' }).click();
      await p.page.getByRole('button', { name: 'Activer le micro' }).click();
    }
    for (const viewer of [teacher, alice, bob]) {
      for (const other of [teacher, alice, bob]) {
        if (other === viewer) continue;
        await expect
          .poll(async () => (await received(viewer.page, other.id, 'camera'))?.frames ?? 0)
          .toBeGreaterThan(0);
        await expect
          .poll(async () => (await received(viewer.page, other.id, 'audio'))?.packets ?? 0)
          .toBeGreaterThan(0);
      }
    }
  });
});
