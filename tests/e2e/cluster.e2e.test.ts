import { readFileSync } from 'node:fs';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_NODE_FLAGS } from '../../deploy/nodeFlags';
import { launchChromium, scriptsRunning } from '../support/browser';
import { type Cluster, type ClusterNode, startCluster } from '../support/cluster';
import { createDocFromPage, padText, saveState } from '../support/docs';
import { type ApiSession, signIn, signInApi } from '../support/signin';

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

/** One request through the balancer: when it started, what answered, or how it failed. */
interface Load {
  startedAt: number;
  status: number;
  node: string | null;
}

/** Loads pages through the balancer from `workers` loops until `stop` resolves. */
async function loadWhile(
  url: string,
  paths: string[],
  stop: Promise<unknown>,
  headers: Record<string, string> = {},
  workers = 3,
): Promise<Load[]> {
  const loads: Load[] = [];
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; !done; i++) {
        const startedAt = Date.now();
        try {
          const res = await fetch(`${url}${paths[i % paths.length]}`, {
            headers,
            redirect: 'manual',
          });
          await res.arrayBuffer();
          loads.push({ startedAt, status: res.status, node: res.headers.get('x-preau-node') });
        } catch {
          loads.push({ startedAt, status: 0, node: null });
        }
      }
    }),
  );
  return loads;
}

/** What the balancer says of a server: UP, DOWN, DRAIN, MAINT… */
async function serverStatus(cluster: Cluster, backend: string, name: string): Promise<string> {
  const csv = await cluster.balancer('show stat');
  const row = csv
    .split('\n')
    .map((l) => l.split(','))
    .find((f) => f[0] === backend && f[1] === name);
  return row?.[17] ?? 'absent';
}

/** A node's own health check (bypassing the balancer). */
async function health(node: ClusterNode): Promise<{ state: string; connections?: number }> {
  // An SFU answers on its RPC port.
  const url = new URL('/healthz', node.url.replace(/^ws/, 'http'));
  return (await fetch(url)).json() as Promise<{
    state: string;
    connections?: number;
  }>;
}

// The local cluster of `./preau cluster`: two web, classroom, docs and SFU
// nodes, PostgreSQL, Redis, the S3 endpoint, HAProxy in front. One start for
// the whole file; stopped at the end, also on failure.
describe('Préau on a local cluster behind HAProxy', () => {
  let cluster: Cluster;
  let browser: Browser | undefined;
  let teacherApi: ApiSession;
  const node = (name: string) => cluster.nodes.find((n) => n.name === name)!;

  beforeAll(async () => {
    cluster = await startCluster();
    teacherApi = await signInApi(cluster.url, 'prof.martin');
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 120_000);

  it('serves pages from both web nodes, names the node, and sends sockets to their own nodes', async () => {
    const served = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${cluster.url}/`, { redirect: 'manual' });
      expect(res.status).toBeLessThan(400);
      await res.arrayBuffer();
      served.add(res.headers.get('x-preau-node') ?? '');
    }
    expect([...served].sort()).toEqual(['web1', 'web2']);
    // Web nodes run no realtime server of their own here…
    const upgrade = await fetch(`${node('web1').url}/live/socket.io/?EIO=4&transport=polling`);
    expect(upgrade.status).toBe(404);
    // …the balancer sends live sockets to the classroom nodes (sticky for long-polling).
    const live = await fetch(`${cluster.url}/live/socket.io/?EIO=4&transport=polling`);
    expect(live.status).toBe(200);
    expect(live.headers.get('x-preau-node')).toMatch(/^classroom[12]$/);
    expect(live.headers.get('set-cookie')).toContain('preau_live_node=');
    await live.arrayBuffer();
    for (const n of cluster.nodes) {
      expect(await health(n)).toMatchObject({ kind: n.kind, state: 'serving' });
    }
  });

  it('starts the docs nodes, and only them, with the garbage collector sizing of deploy/nodeFlags.ts', async () => {
    for (const n of cluster.nodes) {
      const argv = readFileSync(`/proc/${n.pid}/cmdline`, 'utf8').split('\0');
      const flags = argv.slice(1, argv.indexOf('--import'));
      expect(flags, n.name).toEqual(n.kind === 'docs' ? [...DOCUMENT_NODE_FLAGS] : []);
    }
  });

  it('keeps a sign-in made through one web node valid on the other', async () => {
    for (const name of ['web1', 'web2']) {
      const res = await fetch(`${node(name).url}/api/session`, { headers: teacherApi.headers() });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toContain('Martin');
    }
    const anonymous = await fetch(`${node('web2').url}/api/session`);
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();

    // In Chromium: the demo provider's round trip through the balancer, then
    // pages from both nodes, signed in on each.
    browser = await launchChromium({ media: true });
    const page = await (await browser.newContext()).newPage();
    await signIn(page, cluster.url, student.login);
    const nodes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await page.request.get(`${cluster.url}/api/session`);
      expect(res.status()).toBe(200);
      nodes.add(res.headers()['x-preau-node'] ?? '');
    }
    expect([...nodes].sort()).toEqual(['web1', 'web2']);
  });

  // The docs nodes relay stored changes over Redis (Hocuspocus' extension); the
  // balancer spreads the two editors (leastconn).
  it('lets two pages on the two docs nodes edit one pad through the balancer', {
    timeout: 180_000,
  }, async () => {
    browser ??= await launchChromium({ media: true });
    const teacher = await (await browser.newContext()).newPage();
    const pupil = await (await browser.newContext()).newPage();
    await signIn(teacher, cluster.url, 'prof.martin');
    await signIn(pupil, cluster.url, student.login);
    const docId = await createDocFromPage(teacher, cluster.url, classA, 'Grappe', 'pad');
    await pupil.goto(`${cluster.url}/docs/${docId}`);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect.poll(() => saveState(pupil)).toBe('saved');
    // leastconn puts the second editor on the other docs node.
    expect((await health(node('docs1'))).connections).toBeGreaterThan(0);
    expect((await health(node('docs2'))).connections).toBeGreaterThan(0);

    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Écrit depuis un nœud.');
    await expect.poll(() => padText(pupil)).toContain('Écrit depuis un nœud.');
    await pupil.locator('.pad-content p').last().click();
    await pupil.keyboard.press('End');
    await pupil.keyboard.type(' Et depuis l’autre.');
    await expect.poll(() => padText(teacher)).toContain('Et depuis l’autre.');
    await expect.poll(() => saveState(pupil)).toBe('saved');
    for (const p of [teacher, pupil]) {
      await p.reload();
      await expect.poll(() => saveState(p)).toBe('saved');
      expect(await padText(p)).toBe('Écrit depuis un nœud. Et depuis l’autre.');
    }
  });

  // The classroom nodes share sessions over Redis (socket.io's Streams adapter,
  // one owner per session); the balancer spreads the two people (leastconn).
  it('holds a live class whose teacher and student are on different classroom nodes', {
    timeout: 180_000,
  }, async () => {
    browser ??= await launchChromium({ media: true });
    const teacher = await (
      await browser.newContext({ permissions: ['camera', 'microphone'] })
    ).newPage();
    const pupil: Page = await (
      await browser.newContext({ permissions: ['camera', 'microphone'] })
    ).newPage();
    await signIn(teacher, cluster.url, 'prof.martin');
    await signIn(pupil, cluster.url, student.login);
    await teacher.goto(`${cluster.url}/classes/${classA}/live`);
    await scriptsRunning(teacher);
    await teacher.getByLabel('Titre (facultatif)').fill('Cours sur deux nœuds');
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    const connected = (p: Page) => p.getByRole('status').first().textContent();
    await expect.poll(() => connected(teacher)).toContain('Connecté');
    await pupil.goto(`${cluster.url}/classes/${classA}/live`);
    await pupil.getByRole('link', { name: 'Rejoindre « Cours sur deux nœuds »' }).click();
    await expect.poll(() => connected(pupil)).toContain('Connecté');
    // leastconn puts the second person on the other classroom node.
    expect((await health(node('classroom1'))).connections).toBeGreaterThan(0);
    expect((await health(node('classroom2'))).connections).toBeGreaterThan(0);

    await pupil.getByLabel('Message', { exact: true }).fill('Bonjour depuis l’autre nœud');
    await pupil.getByRole('button', { name: 'Envoyer' }).click();
    await expect
      .poll(() => teacher.getByRole('log').textContent())
      .toContain('Bonjour depuis l’autre nœud');
    await pupil.getByRole('button', { name: 'Lever la main' }).click();
    await expect.poll(() => teacher.locator('ul.people [data-icon="hand"]').count()).toBe(1);
    await teacher.reload();
    await expect.poll(() => connected(teacher)).toContain('Connecté');
    await expect
      .poll(() => teacher.getByRole('log').textContent())
      .toContain('Bonjour depuis l’autre nœud');
    await expect.poll(() => teacher.locator('ul.people [data-icon="hand"]').count()).toBe(1);

    // A classroom node drained (balancer, then SIGTERM): whoever was on it is
    // back on the other node within 5 s, in the same session, nothing lost.
    const classroom2 = node('classroom2');
    const drainedAt = Date.now();
    await classroom2.drain();
    await expect.poll(() => classroom2.running, { timeout: 20_000, interval: 100 }).toBe(false);
    await expect
      .poll(async () => ((await health(node('classroom1'))).connections ?? 0) >= 2, {
        interval: 100,
      })
      .toBe(true);
    for (const p of [teacher, pupil]) {
      await expect.poll(() => connected(p), { interval: 100 }).toContain('Connecté');
    }
    expect(Date.now() - drainedAt).toBeLessThan(5000 + 3000);
    await pupil.getByLabel('Message', { exact: true }).fill('Toujours là');
    await pupil.getByRole('button', { name: 'Envoyer' }).click();
    await expect.poll(() => teacher.getByRole('log').textContent()).toContain('Toujours là');
    expect(await teacher.getByRole('log').textContent()).toContain('Bonjour depuis l’autre nœud');
    await expect.poll(() => teacher.locator('ul.people [data-icon="hand"]').count()).toBe(1);
    await classroom2.start();
    await expect
      .poll(() => serverStatus(cluster, 'classroom', 'classroom2'), { timeout: 15_000 })
      .toBe('UP');
    await teacher.context().close();
    await pupil.context().close();
  });

  it('stops sending to a killed node within 5 s, and takes it back once restarted', async () => {
    for (const [backend, name] of [
      ['web', 'web2'],
      ['docs', 'docs2'],
    ] as const) {
      const victim = node(name);
      const killedAt = Date.now();
      let downAt = Number.POSITIVE_INFINITY;
      const gone = (async () => {
        await victim.kill('SIGKILL');
        await expect
          .poll(() => serverStatus(cluster, backend, name), { timeout: 10_000, interval: 100 })
          .toMatch(/^DOWN/);
        downAt = Date.now();
        // Page loads go on a little once the balancer has let go of it.
        await new Promise((r) => setTimeout(r, 1500));
      })();
      const loads =
        backend === 'web' ? await loadWhile(cluster.url, ['/', '/api/session'], gone) : [];
      await gone;
      expect(downAt - killedAt).toBeLessThan(5000);
      if (backend === 'web') {
        // Only a load in flight when the process died may fail (one per loop at most);
        // a refused connection is sent to the other node (redispatch).
        const failed = loads.filter((l) => l.status === 0 || l.status >= 500);
        expect(failed.length).toBeLessThanOrEqual(3);
        const after = loads.filter((l) => l.startedAt > downAt);
        expect(after.length).toBeGreaterThan(0);
        expect(after.filter((l) => l.status === 0 || l.status >= 500 || l.node === name)).toEqual(
          [],
        );
      }

      await victim.start();
      await expect
        .poll(() => serverStatus(cluster, backend, name), { timeout: 15_000, interval: 200 })
        .toBe('UP');
    }
  });

  it('drains a web node, then kills it, without one failed page load', async () => {
    const web1 = node('web1');
    let drainedAt = Number.POSITIVE_INFINITY;
    const scenario = (async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await web1.drain();
      drainedAt = Date.now();
      await expect.poll(async () => (await health(web1).catch(() => null))?.state).toBe('draining');
      expect(await serverStatus(cluster, 'web', 'web1')).toMatch(/DRAIN|DOWN|MAINT/);
      await new Promise((r) => setTimeout(r, 2000));
      await web1.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 3000));
    })();
    const loads = await loadWhile(
      cluster.url,
      ['/', '/api/session'],
      scenario,
      teacherApi.headers(),
    );
    await scenario;
    expect(loads.length).toBeGreaterThan(20);
    const failed = loads.filter((l) => l.status === 0 || l.status >= 500);
    expect(failed).toEqual([]);
    expect(loads.filter((l) => l.node === 'web1').length).toBeGreaterThan(0);
    // Once drained, no new page load went to it.
    expect(loads.filter((l) => l.startedAt > drainedAt && l.node === 'web1')).toEqual([]);
  });
});
