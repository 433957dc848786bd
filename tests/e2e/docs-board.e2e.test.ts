import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium, scriptsRunning } from '../support/browser';
import { boardBox, boardCount, drawOnBoard, storedElements } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

describe('boards in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let pupil: Page;
  let docId: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    teacher = await (await browser.newContext({ acceptDownloads: true })).newPage();
    pupil = await (await browser.newContext()).newPage();
    await signIn(teacher, preau.url, 'prof.martin');
    await signIn(pupil, preau.url, student.login);
    await teacher.goto(`${preau.url}/classes/${classA}/docs`);
    await scriptsRunning(teacher);
    await teacher.getByLabel('Titre', { exact: true }).fill('Carte mentale');
    await teacher.getByLabel('Type').selectOption('board');
    await teacher.getByRole('button', { name: 'Créer', exact: true }).click();
    await teacher.waitForURL((u) => /^\/docs\/d[0-9a-f]+$/.test(u.pathname));
    docId = new URL(teacher.url()).pathname.split('/').at(-1)!;
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('loads with every request outside 127.0.0.1 blocked, fonts served by Préau', async () => {
    const outside: string[] = [];
    const fonts: string[] = [];
    await pupil.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    pupil.on('response', (res) => {
      if (res.url().includes('/excalidraw-assets/fonts/') && res.status() === 200)
        fonts.push(res.url());
    });
    await pupil.goto(`${preau.url}/docs/${docId}`);
    await expect.poll(() => pupil.locator('.save-state').getAttribute('data-state')).toBe('saved');
    await expect
      .poll(() => pupil.getByRole('button', { name: 'Exporter en PNG' }).isEnabled())
      .toBe(true);
    // Writing text (double-click on the canvas) makes Excalidraw load its hand-drawn font.
    const box = await boardBox(pupil);
    await pupil.mouse.dblclick(box.x + 460, box.y + 330);
    await expect.poll(() => pupil.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await pupil.keyboard.type('Idée');
    await pupil.keyboard.press('Escape');
    await expect.poll(() => fonts.length).toBeGreaterThan(0);
    const loaded = await pupil.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family);
    });
    expect(loaded.map((f) => f.replaceAll('"', ''))).toContain('Excalifont');
    expect(outside).toEqual([]);
  });

  it('two people draw on the same board and converge, stored by the server', async () => {
    await expect
      .poll(() => teacher.getByRole('button', { name: 'Exporter en PNG' }).isEnabled())
      .toBe(true);
    await expect.poll(() => boardCount(teacher)).toBe('1');
    await drawOnBoard(teacher, 'r', [450, 120], [570, 200]);
    await expect.poll(() => boardCount(pupil)).toBe('2');
    await drawOnBoard(pupil, 'o', [640, 120], [740, 220]);
    await expect.poll(() => boardCount(teacher)).toBe('3');
    await expect.poll(() => pupil.locator('.save-state').getAttribute('data-state')).toBe('saved');
    await expect
      .poll(() => teacher.locator('.save-state').getAttribute('data-state'))
      .toBe('saved');
    const { elements } = await storedElements(preau, docId);
    expect(elements.map((e) => e.type).sort()).toEqual(['ellipse', 'rectangle', 'text']);
  });

  it('puts dropped images in object storage, shares only a reference, and exports PNG and SVG', async () => {
    const dataTransfer = await teacher.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'point.png', { type: 'image/png' }));
      return dt;
    }, PNG.toString('base64'));
    const box = await boardBox(teacher);
    await teacher.locator('.excalidraw canvas.interactive').dispatchEvent('drop', {
      dataTransfer,
      clientX: box.x + 650,
      clientY: box.y + 360,
    });
    await expect.poll(() => boardCount(pupil)).toBe('4');
    await expect
      .poll(async () => Object.values((await storedElements(preau, docId)).files).length)
      .toBe(1);
    const { files } = await storedElements(preau, docId);
    const ref = Object.values(files)[0] as { url: string; dataURL?: string };
    expect(ref.url).toMatch(new RegExp(`^/api/docs/${docId}/files/f[0-9a-f]+$`));
    expect(ref.dataURL).toBeUndefined();
    // The pupil's board fetched the image from Préau.
    const served = await pupil.evaluate(async (url) => (await fetch(url)).status, ref.url);
    expect(served).toBe(200);
    // Traced with the SHA-256 of the bytes kept in object storage.
    const fileId = ref.url.split('/').at(-1)!;
    const { db } = preau.services.database;
    const row = await db
      .selectFrom('doc_file')
      .select(['object_key', 'sha256'])
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    const stored = await preau.services.objects.get(row.object_key);
    expect(row.sha256).toBe(createHash('sha256').update(stored!).digest('hex'));
    const trace = await db
      .selectFrom('trace_outbox')
      .select('payload')
      .where('kind', '=', 'doc.file.added')
      .where('subject', '=', fileId)
      .unionAll(
        db
          .selectFrom('archive_record')
          .select(sql<unknown>`NULL`.as('payload'))
          .where('kind', '=', 'doc.file.added')
          .where('subject', '=', fileId),
      )
      .execute();
    expect(trace).toHaveLength(1);

    const png = teacher.waitForEvent('download');
    await teacher.getByRole('button', { name: 'Exporter en PNG' }).click();
    const pngFile = await png;
    expect(pngFile.suggestedFilename()).toBe('Carte mentale.png');
    expect([...readFileSync((await pngFile.path())!).subarray(0, 4)]).toEqual([
      0x89, 0x50, 0x4e, 0x47,
    ]);
    const svg = teacher.waitForEvent('download');
    await teacher.getByRole('button', { name: 'Exporter en SVG' }).click();
    const svgFile = await svg;
    expect(svgFile.suggestedFilename()).toBe('Carte mentale.svg');
    expect(readFileSync((await svgFile.path())!, 'utf8')).toContain('<svg');
  });
});
