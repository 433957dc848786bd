import { silentLogger } from '@preau/protocol/server';
import {
  classIdOf,
  type Database,
  DEMO_SCHOOLS,
  demoDirectory,
  openDatabase,
} from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, scriptsRunning } from '../support/browser';
import { type Cluster, startCluster } from '../support/cluster';
import { type Inbound, inboundOf, trackPeerConnections } from '../support/frames';
import { signIn } from '../support/signin';

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

interface Person {
  login: string;
  id: string;
  page: Page;
}

/** Whether what `viewer` receives of `other`'s `what` grows over `ms` (a live track, counters up). */
async function flowing(viewer: Page, otherId: string, what: 'camera' | 'audio', ms = 500) {
  const count = (i: Inbound | null) => (what === 'camera' ? (i?.frames ?? 0) : (i?.packets ?? 0));
  const before = await inboundOf(viewer, otherId, what);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await inboundOf(viewer, otherId, what);
  return (after?.live ?? false) && count(after) > count(before);
}

// A live class whose teacher and student are on the two classroom nodes of
// the local cluster (the balancer's leastconn spreads them), media through
// the cluster's SFU nodes: each one's fake camera and microphone reach the
// other, and chat, hand and mute cross the nodes. One web and one docs node
// (pages and documents are not what is tested here); the cluster is stopped
// at the end, also on failure.
describe('media in Chromium across classroom nodes', () => {
  let cluster: Cluster | undefined;
  let database: Database | undefined;
  let browser: Browser | undefined;
  let teacher: Person;
  let pupil: Person;

  const connected = (p: Page) => p.getByRole('status').first().textContent();
  /** Connections a classroom node holds, from its own health check. */
  const connections = async (name: string) => {
    const node = cluster!.nodes.find((n) => n.name === name)!;
    const health = (await (await fetch(`${node.url}/healthz`)).json()) as { connections?: number };
    return health.connections ?? 0;
  };

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([
      startCluster({ web: 1, docs: 1 }),
      launchChromium({ media: true }),
    ]);
    database = await openDatabase({ url: cluster.databaseUrl }, silentLogger());
    const person = async (login: string): Promise<Person> => {
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'] });
      await context.addInitScript(trackPeerConnections);
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
      await signIn(page, cluster!.url, login);
      const { id } = await database!.db
        .selectFrom('person')
        .select('id')
        .where('login', '=', login)
        .executeTakeFirstOrThrow();
      return { login, id, page };
    };
    teacher = await person('prof.martin');
    pupil = await person(student.login);
    // Seven processes started with tsx: minutes on a loaded two-core machine.
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await database?.close();
    await cluster?.stop();
  }, 120_000);

  it('puts the teacher and the student on different classroom nodes', async () => {
    await teacher.page.goto(`${cluster!.url}/classes/${classA}/live`);
    await scriptsRunning(teacher.page);
    await teacher.page.getByLabel('Titre (facultatif)').fill('Images sur deux nœuds');
    await teacher.page.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.page.waitForURL(/\/direct\/ls_/);
    await expect.poll(() => connected(teacher.page)).toContain('Connecté');
    await pupil.page.goto(teacher.page.url());
    await expect.poll(() => connected(pupil.page)).toContain('Connecté');
    // One socket each: leastconn sends the second to the other node.
    await expect.poll(() => connections('classroom1')).toBe(1);
    await expect.poll(() => connections('classroom2')).toBe(1);
  });

  it('carries each one’s camera and microphone to the other', { timeout: 120_000 }, async () => {
    for (const p of [teacher, pupil]) {
      await p.page.getByRole('button', { name: 'Activer la caméra' }).click();
      await p.page.getByRole('button', { name: 'Activer le micro' }).click();
    }
    for (const [viewer, other] of [
      [pupil, teacher],
      [teacher, pupil],
    ] as const) {
      await viewer.page
        .locator(`figure[data-participant="${other.id}"][data-source="camera"]`)
        .scrollIntoViewIfNeeded();
      for (const what of ['camera', 'audio'] as const) {
        await expect
          .poll(() => flowing(viewer.page, other.id, what), {
            timeout: 30_000,
            interval: 0,
            message: `${viewer.login} receiving ${other.login}'s ${what}`,
          })
          .toBe(true);
      }
    }
  });

  it('carries chat both ways and the student’s hand to the teacher', async () => {
    await pupil.page.getByLabel('Message', { exact: true }).fill('Vous me voyez ?');
    await pupil.page.getByRole('button', { name: 'Envoyer' }).click();
    await expect
      .poll(() => teacher.page.getByRole('log').textContent())
      .toContain('Vous me voyez ?');
    await teacher.page.getByLabel('Message', { exact: true }).fill('Oui, et je vous entends.');
    await teacher.page.getByRole('button', { name: 'Envoyer' }).click();
    await expect
      .poll(() => pupil.page.getByRole('log').textContent())
      .toContain('Oui, et je vous entends.');
    await pupil.page.getByRole('button', { name: 'Lever la main' }).click();
    await expect.poll(() => teacher.page.locator('ol.hands li').count()).toBe(1);
    await teacher.page.getByRole('button', { name: `Baisser la main de ${student.name}` }).click();
    await expect
      .poll(() => pupil.page.getByRole('button', { name: 'Lever la main' }).count())
      .toBe(1);
  });

  it('stops the student’s sound at the SFU when the teacher on the other node mutes them', {
    timeout: 60_000,
  }, async () => {
    await teacher.page.getByRole('button', { name: `Couper le micro de ${student.name}` }).click();
    await expect
      .poll(() => pupil.page.getByText('L’enseignant·e a coupé votre micro.').count())
      .toBe(1);
    await expect
      .poll(() => pupil.page.getByRole('button', { name: 'Activer le micro' }).count())
      .toBe(1);
    // No more packets of the student's microphone reach the teacher…
    await expect
      .poll(async () => !(await flowing(teacher.page, pupil.id, 'audio', 1500)), {
        timeout: 20_000,
        interval: 0,
      })
      .toBe(true);
    // …while the teacher's camera and microphone still reach the student.
    expect(await flowing(pupil.page, teacher.id, 'camera')).toBe(true);
    expect(await flowing(pupil.page, teacher.id, 'audio')).toBe(true);
  });
});
