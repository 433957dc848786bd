import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { createDocFromPage, padText, saveState } from '../support/docs';
import { freePort } from '../support/ports';
import { type ServiceProcess, startService } from '../support/service';
import { signIn, signInApi } from '../support/signin';

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const SPACE = classSpaceId(classId);
const student = demoDirectory().accounts.find((a) => a.className === CLASS)!;

interface ArchivedRecord {
  kind: string;
  subject: string | null;
  archived: boolean;
  payload: Record<string, unknown> | null;
}

// The one-port server of `./preau start` (web, live chat, documents, archiver,
// PGlite, local S3) as its own process, killed with SIGKILL while a student
// chats and types, then started again on the same port and data, as a
// supervisor would.
describe('the web process killed with SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preau-kill-web-'));
  const processes: ServiceProcess[] = [];
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    for (const p of processes) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message, edit and trace; the open pages are back within 5 s', {
    timeout: 300_000,
  }, async () => {
    const port = String(await freePort());
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      const p = await startService(
        'web/server/main.ts',
        {
          PORT: port,
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          // The dead process's claim on a space's outbox lapses after this (30 s by default).
          ARCHIVE_LEASE_MS: '5000',
        },
        (e) => e.msg === 'Préau started',
      );
      processes.push(p);
      return p;
    };
    const first = await start();
    browser = await launchChromium();
    const context = await browser.newContext();
    const problems: string[] = [];
    const page = async () => {
      const p = await context.newPage();
      p.on('pageerror', (e) => problems.push(e.message));
      return p;
    };
    const pad = await page();
    await signIn(pad, url, student.login);
    const chat = await page();

    const docId = await createDocFromPage(pad, url, classId, 'Notes de la panne', 'pad');
    await expect.poll(() => saveState(pad)).toBe('saved');
    await pad.locator('.pad-content').click();
    await pad.keyboard.type('Avant la panne.');
    await expect.poll(() => saveState(pad)).toBe('saved');

    const status = () => chat.locator('p.meta[role="status"]').textContent();
    const texts = () => chat.locator('.message .text').allTextContents();
    const say = async (text: string) => {
      await chat.getByLabel('Votre message').fill(text);
      await chat.getByLabel('Votre message').press('Enter');
      await expect.poll(texts).toContain(text);
    };
    await chat.goto(`${url}/espaces/${SPACE}/discussion`);
    await expect.poll(status, { timeout: 20_000 }).toContain('Connecté');
    await say('Message avant la panne');

    // Killed while the student types: what the server acknowledged is stored,
    // and the page keeps the rest to send again.
    await pad.keyboard.type(' Pendant');
    await first.crash();
    await expect.poll(status).not.toContain('Connecté');
    await expect.poll(() => saveState(pad)).toBe('offline');

    const second = await start();
    // Both pages come back by themselves, without a reload.
    await expect.poll(status, { timeout: 15_000, interval: 100 }).toContain('Connecté');
    await expect.poll(() => saveState(pad), { timeout: 15_000, interval: 100 }).toBe('saved');
    const backIn = Date.now() - second.readyAt;
    expect(backIn).toBeLessThan(5000);

    // And work again.
    await say('Message après la panne');
    await pad.keyboard.type(' et après.');
    await expect.poll(() => saveState(pad)).toBe('saved');

    // A reload shows everything.
    await chat.reload();
    await expect.poll(status, { timeout: 20_000 }).toContain('Connecté');
    await expect
      .poll(texts)
      .toEqual(expect.arrayContaining(['Message avant la panne', 'Message après la panne']));
    await pad.reload();
    await expect.poll(() => saveState(pad), { timeout: 20_000 }).toBe('saved');
    expect(await padText(pad)).toBe('Avant la panne. Pendant et après.');

    // The traces reach the archive: the new process drains the outbox once
    // the dead one's claim has lapsed.
    const archivist = await signInApi(url, 'archiviste');
    const archived = async (kind: string) => {
      const res = await archivist.fetch(
        `/api/archive/search?space=${SPACE}&kind=${kind}&limit=500`,
      );
      const body = (await res.json()) as { data: { records: ArchivedRecord[] } };
      return body.data.records.filter((r) => r.archived);
    };
    await expect
      .poll(async () => (await archived('chat.message')).map((r) => r.payload?.text), {
        timeout: 60_000,
      })
      .toEqual(expect.arrayContaining(['Message avant la panne', 'Message après la panne']));
    await expect
      .poll(async () => (await archived('doc.update')).filter((r) => r.subject === docId).length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    // Nothing of the space is left waiting in the outbox.
    await expect
      .poll(
        async () => {
          const res = await archivist.fetch(`/api/archive/search?space=${SPACE}&limit=500`);
          const body = (await res.json()) as { data: { records: ArchivedRecord[] } };
          return body.data.records.filter((r) => !r.archived).map((r) => r.kind);
        },
        { timeout: 60_000 },
      )
      .toEqual([]);
    expect(problems).toEqual([]);
  });
});
