import { classIdOf, DEMO_SCHOOLS, demoDirectory, listAttendance } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { traceKinds } from '../support/archive';
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
async function received(
  page: Page,
  participantId: string,
  what: 'camera' | 'screen' | 'audio',
  /** Scrolls the tile into view first: only tiles on screen are received. */
  show = true,
) {
  return page.evaluate(
    async ({ participantId, what, show }) => {
      const el =
        what === 'audio'
          ? document.querySelector<HTMLMediaElement>(`audio[data-participant="${participantId}"]`)
          : document.querySelector<HTMLMediaElement>(
              `figure[data-participant="${participantId}"][data-source="${what}"] video`,
            );
      if (show && el?.tagName === 'VIDEO') el.scrollIntoView({ block: 'nearest' });
      const track = (el?.srcObject as MediaStream | null)?.getTracks()[0];
      if (!track) return null;
      const id = track.id;
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const pc of pcs) {
        const report = await pc.getStats();
        for (const s of report.values()) {
          const stat = s as Inbound & { type: string };
          if (stat.type === 'inbound-rtp' && stat.trackIdentifier === track.id) {
            return { track: id, packets: stat.packetsReceived, frames: stat.framesDecoded ?? 0 };
          }
        }
      }
      return { track: id, packets: 0, frames: 0 };
    },
    { participantId, what, show },
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
  /** Text frames the page sent on its WebSockets (socket.io packets), oldest first. */
  sent: string[];
}

describe('a live class in Chromium with fake cameras and microphones', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Person;
  let alice: Person;
  let bob: Person;
  let sessionId: string;

  async function person(login: string): Promise<Person> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
    page.on('console', (m) => {
      // Offline on purpose in one test: those failures are expected.
      if (m.text().includes('ERR_INTERNET_DISCONNECTED')) return;
      if (m.type() === 'warning' || m.type() === 'error') console.error(`[${login}] ${m.text()}`);
    });
    await signIn(page, preau.url, login);
    const id = await preau.services.database.db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    const sent: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string') sent.push(f.payload);
      }),
    );
    return { login, context, page, id: id.id, sent };
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
    await page.waitForURL(/\/direct\/ls_/);
    sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connecté');

    for (const student of [alice, bob]) {
      await student.page.goto(preau.url);
      await student.page
        .locator('#sessions-en-direct')
        .getByRole('link', { name: /Rejoindre/ })
        .click();
      await student.page.waitForURL(/\/direct\/ls_/);
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
        const pair = `${viewer.login} receiving ${other.login}`;
        // Only tiles on screen are received (a featured speaker may push others below the fold).
        await viewer.page
          .locator(`figure[data-participant="${other.id}"][data-source="camera"]`)
          .scrollIntoViewIfNeeded();
        await expect
          .poll(async () => (await received(viewer.page, other.id, 'camera'))?.frames ?? 0, {
            message: `${pair}: video frames decoded`,
          })
          .toBeGreaterThan(0);
        await expect
          .poll(async () => (await received(viewer.page, other.id, 'audio'))?.packets ?? 0, {
            message: `${pair}: audio packets`,
          })
          .toBeGreaterThan(0);
      }
    }
  });

  it('delivers chat to everyone', async () => {
    await alice.page.getByLabel('Message').fill('Bonjour la classe !');
    await alice.page.getByRole('button', { name: 'Envoyer' }).click();
    for (const p of [teacher, alice, bob]) {
      await expect
        .poll(() => p.page.getByRole('log').textContent())
        .toContain('Bonjour la classe !');
    }
    // Alice corrects her message; everyone reads the new text, marked as corrected.
    await alice.page.getByRole('button', { name: 'Corriger' }).click();
    await alice.page.getByLabel('Corriger le message').fill('Bonjour à toute la classe !');
    await alice.page.getByLabel('Corriger le message').press('Enter');
    for (const p of [teacher, bob]) {
      await expect
        .poll(() => p.page.getByRole('log').textContent())
        .toContain('Bonjour à toute la classe !');
      expect(await p.page.getByRole('log').textContent()).toContain('(corrigé)');
    }
  });

  it('raises hands in order and sends chat from the keyboard alone', async () => {
    for (const student of [bob, alice]) {
      await student.page.getByRole('button', { name: 'Lever la main' }).focus();
      await student.page.keyboard.press('Enter');
      await expect
        .poll(() => teacher.page.locator('ol.hands li').count())
        .toBe(student === bob ? 1 : 2);
    }
    const hands = await teacher.page.locator('ol.hands li > span').allTextContents();
    expect(hands).toEqual([students[1]!.name, students[0]!.name]);
    await teacher.page
      .getByRole('button', { name: `Baisser la main de ${students[1]!.name}` })
      .click();
    await expect
      .poll(() => bob.page.getByRole('button', { name: 'Lever la main' }).count())
      .toBe(1);
    await alice.page.getByRole('button', { name: 'Baisser la main' }).click();
    await expect.poll(() => teacher.page.getByText('Aucune main levée.').count()).toBe(1);

    await bob.page.getByLabel('Message').focus();
    await bob.page.keyboard.type('Je suis là');
    await bob.page.keyboard.press('Enter');
    await expect.poll(() => teacher.page.getByRole('log').textContent()).toContain('Je suis là');
  });

  it('receives only the tiles on screen, and a higher layer for a pinned tile', async () => {
    const page = alice.page;
    const video = (id: string) => received(page, id, 'camera', false);
    // A small window scrolled to the top: the video tiles are below the fold (on
    // a phone the videos take the first screen instead, so this is a desktop width).
    await page.setViewportSize({ width: 800, height: 200 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const below = await page.evaluate(
      (ids) =>
        ids.every((id) => {
          const tile = document.querySelector(`figure[data-participant="${id}"]`);
          return !!tile && tile.getBoundingClientRect().top >= window.innerHeight;
        }),
      [teacher.id, bob.id],
    );
    expect(below).toBe(true);
    // Out of view, the SFU stops sending: the packet counters stand still.
    for (const id of [teacher.id, bob.id]) {
      let last = -1;
      await expect
        .poll(
          async () => {
            const now = (await video(id))?.packets ?? 0;
            const still = now === last;
            last = now;
            return still;
          },
          { interval: 1500, message: `tile of ${id} out of view` },
        )
        .toBe(true);
    }
    await page.locator(`figure[data-participant="${teacher.id}"]`).scrollIntoViewIfNeeded();
    const before = (await video(teacher.id))?.frames ?? 0;
    await expect.poll(async () => (await video(teacher.id))?.frames ?? 0).toBeGreaterThan(before);

    // Pinned, a tile is big: its consumer asks the SFU for a higher simulcast layer than a
    // thumbnail's (what arrives then also depends on the sender's CPU and bandwidth).
    await page.setViewportSize({ width: 1280, height: 800 });
    const layers = (from: number) =>
      alice.sent
        .slice(from)
        .filter((f) => f.includes('"media.setPreferredLayers"'))
        .map((f) => Number(/"spatialLayer":(\d)/.exec(f)?.[1]));
    expect(layers(0)).toContain(0);
    // Pin a tile that is not already the big one (the active speaker's).
    const target = (await page.locator(`figure[data-participant="${bob.id}"].featured`).count())
      ? teacher
      : bob;
    const tile = page.locator(`figure[data-participant="${target.id}"][data-source="camera"]`);
    const unpinned = alice.sent.length;
    await tile.getByRole('button', { name: 'Épingler' }).click();
    await expect.poll(() => tile.getAttribute('class')).toContain('featured');
    await expect.poll(() => Math.max(-1, ...layers(unpinned))).toBeGreaterThan(0);
    await tile.getByRole('button', { name: 'Désépingler' }).click();
  });

  it('sends the teacher’s screen share to the students', async () => {
    await teacher.page.getByRole('button', { name: 'Partager l’écran' }).click();
    for (const student of [alice, bob]) {
      await expect
        .poll(async () => (await received(student.page, teacher.id, 'screen'))?.frames ?? 0)
        .toBeGreaterThan(0);
    }
    await teacher.page.getByRole('button', { name: 'Arrêter le partage' }).click();
    await expect.poll(() => alice.page.locator('figure[data-source="screen"]').count()).toBe(0);
  });

  it('lets students share their screen only while the teacher allows it', async () => {
    const share = alice.page.getByRole('button', { name: 'Partager l’écran' });
    expect(await share.count()).toBe(0);
    await teacher.page.getByLabel('Autoriser le partage d’écran des élèves').check();
    await expect.poll(() => share.count()).toBe(1);
    await share.click();
    await expect
      .poll(async () => (await received(teacher.page, alice.id, 'screen'))?.frames ?? 0)
      .toBeGreaterThan(0);
    // Forbidding stops the share in progress, at the SFU and on the student's page.
    await teacher.page.getByLabel('Autoriser le partage d’écran des élèves').uncheck();
    await expect.poll(() => teacher.page.locator('figure[data-source="screen"]').count()).toBe(0);
    await expect.poll(() => share.count()).toBe(0);
    await expect.poll(() => alice.page.locator(`figure[data-source="screen"]`).count()).toBe(0);
  });

  it('stops a student’s audio at the SFU when the teacher mutes them', async () => {
    const packets = async () => (await received(teacher.page, alice.id, 'audio'))?.packets ?? 0;
    const before = await packets();
    await expect.poll(packets).toBeGreaterThan(before);
    const aliceName = students[0]!.name;
    await teacher.page.getByRole('button', { name: `Couper le micro de ${aliceName}` }).click();
    await expect
      .poll(() => alice.page.getByText('L’enseignant·e a coupé votre micro.').count())
      .toBe(1);
    // Packets stop growing on the teacher's side, and on Bob's.
    for (const viewer of [teacher, bob]) {
      let last = -1;
      await expect
        .poll(
          async () => {
            const now = (await received(viewer.page, alice.id, 'audio'))?.packets ?? 0;
            const still = now === last;
            last = now;
            return still;
          },
          { interval: 1500 },
        )
        .toBe(true);
    }
    await expect
      .poll(() => alice.page.getByRole('button', { name: 'Activer le micro' }).count())
      .toBe(1);
  });

  it('brings a student whose network dropped back to the same session with their media', async () => {
    const row = teacher.page.locator(`li[data-participant="${bob.id}"]`);
    // The network goes: the socket drops, and so does the media path (the browser's peer
    // connections die with it; DevTools' offline mode alone would leave WebRTC running).
    await bob.context.setOffline(true);
    await bob.page.evaluate(() => {
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) pc.close();
    });
    await expect.poll(() => row.textContent()).toContain('reconnexion');
    const frozen = async () => (await received(teacher.page, bob.id, 'camera'))?.frames ?? 0;
    let last = -1;
    await expect
      .poll(
        async () => {
          const now = await frozen();
          const still = now === last;
          last = now;
          return still;
        },
        { interval: 1000 },
      )
      .toBe(true);
    const before = {
      byBob: await received(bob.page, teacher.id, 'camera'),
      ofBob: await received(teacher.page, bob.id, 'camera'),
    };
    // Flowing again: more frames on the same track, or frames on a new one (rebuilt transports).
    const flowing = (
      now: Awaited<ReturnType<typeof received>>,
      then: Awaited<ReturnType<typeof received>>,
    ) => !!now && (now.track !== then?.track ? now.frames > 0 : now.frames > (then?.frames ?? 0));
    await bob.page
      .locator(`figure[data-participant="${teacher.id}"][data-source="camera"]`)
      .scrollIntoViewIfNeeded();
    await teacher.page
      .locator(`figure[data-participant="${bob.id}"][data-source="camera"]`)
      .scrollIntoViewIfNeeded();
    await bob.context.setOffline(false);
    const back = Date.now();
    await expect
      .poll(async () => flowing(await received(bob.page, teacher.id, 'camera'), before.byBob))
      .toBe(true);
    await expect
      .poll(async () => flowing(await received(teacher.page, bob.id, 'camera'), before.ofBob))
      .toBe(true);
    console.info(`media flowing again ${Date.now() - back} ms after the network came back`);
    await expect.poll(() => row.textContent()).not.toContain('reconnexion');
    // The same stay in the same session: the reconnection is not a new arrival.
    const stays = await listAttendance(preau.services.database.db, sessionId);
    expect(stays.filter((s) => s.personId === bob.id)).toEqual([
      expect.objectContaining({ leftAt: null }),
    ]);
  });

  it('ends the session for everyone; the teacher then sees who attended, from when to when', async () => {
    teacher.page.once('dialog', (d) => d.accept());
    await teacher.page.getByRole('button', { name: 'Terminer pour tous' }).click();
    for (const student of [alice, bob]) {
      await expect.poll(() => student.page.getByText('La séance est terminée.').count()).toBe(1);
    }
    await teacher.page.goto(`${preau.url}/classes/${classId}/live/${sessionId}/presences`);
    // The whole class is listed; the three who came are present.
    const rows = teacher.page.locator('tbody tr:not(.absent)');
    await expect.poll(() => rows.count()).toBe(3);
    const table = await rows.allTextContents().then((texts) => texts.join('\n'));
    for (const name of ['Claire Martin', students[0]!.name, students[1]!.name]) {
      expect(table).toContain(name);
    }
    expect(table).toContain('fin de la séance');
    expect(table).not.toContain('toujours présent');

    // A student may not read it.
    const refused = await alice.page.goto(
      `${preau.url}/classes/${classId}/live/${sessionId}/presences`,
    );
    expect(refused?.status()).toBe(403);

    // Traces, in the outbox or already moved to the archive's index.
    const kinds = (await traceKinds(preau.services.database.db, `class_${classId}`)).filter(
      (k) => k.startsWith('session.') || k.startsWith('chat.'),
    );
    expect(kinds[0]).toBe('session.started');
    expect(kinds.filter((k) => k === 'session.joined')).toHaveLength(3);
    expect(kinds).toContain('chat.message');
    // Lowering a student's hand, screen sharing allowed then forbidden, the mute and the end.
    expect(kinds.filter((k) => k === 'session.moderation')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'session.left')).toHaveLength(3);
    expect(kinds.at(-1)).toBe('session.ended');
  });
});
