import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_SPACES, listDocs, recordTrace, verifyBundle } from '@preau/storage';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const GROUP = DEMO_SPACES.collegeGroup;
const SPACE_FIELD = 'Espace (classe, groupe ou projet)';
const ROOT = join(import.meta.dirname, '..', '..');

/** Types in a name chooser once the page's scripts run, then picks the option named. */
async function choose(page: Page, field: string, text: string, option: RegExp) {
  await scriptsRunning(page);
  const box = page.getByRole('combobox', { name: field });
  await box.pressSequentially(text, { delay: 30 });
  await expect.poll(() => page.getByRole('option', { name: option }).count()).toBe(1);
  return page.getByRole('option', { name: option });
}

describe('the archive of a work group, in Chromium against the whole of Préau', () => {
  let preau: RunningPreau;
  let browser: Browser;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('finds the demo group by name, opens a case on it, holds, exports, and the bundle verifies', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, preau.url, 'archiviste', '/archive');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Recherche dans les traces');
    // The background archiver drains the demo's outbox within about a second.
    await expect
      .poll(async () => {
        const left = await preau.services.database.db
          .selectFrom('trace_outbox')
          .select('seq')
          .where('space_id', '=', GROUP.id)
          .execute();
        return left.length;
      })
      .toBe(0);

    // Found by its name, shown as a work group of its school.
    const option = await choose(page, SPACE_FIELD, 'exposé loire', /Exposé sur la Loire/);
    expect(await option.textContent()).toContain('groupe · Collège Anne de Bretagne');
    await option.click();
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(8);
    const table = (await page.locator('table').textContent()) ?? '';
    expect(table).toContain('groupe « Exposé sur la Loire » créé');
    expect(table).toContain('invitation acceptée');
    expect(table).toContain('plus long fleuve de France');
    expect(table).not.toContain('p_demo');
    expect(table).not.toContain('space.created');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    // The group's owner places an image in its pad (as the editor does, through the API).
    const { db } = preau.services.database;
    const owner = await db
      .selectFrom('space_member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select(['p.id', 'p.login'])
      .where('m.space_id', '=', GROUP.id)
      .where('m.role', '=', 'owner')
      .executeTakeFirstOrThrow();
    const [padDoc] = (await listDocs(db, GROUP.id)).filter((d) => d.kind === 'pad');
    const image = new Uint8Array([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      ...new TextEncoder().encode('carte'),
    ]);
    const api = await signInApi(preau.url, owner.login);
    const uploaded = await fetch(`${preau.url}/api/docs/${padDoc!.id}/files`, {
      method: 'POST',
      headers: { ...api.headers(), 'content-type': 'image/png' },
      body: image,
    });
    expect(uploaded.status).toBe(200);
    const imageId = ((await uploaded.json()) as { data: { id: string } }).data.id;
    // A message acknowledged just before a crash: its archiver died holding
    // the group's 30 s claim, so the act waits in the outbox.
    await expect
      .poll(async () => (await db.selectFrom('trace_outbox').select('seq').execute()).length)
      .toBe(0);
    await sql`UPDATE archive_space SET lease_owner = 'archiver-dead',
      lease_until = now() + interval '30 seconds' WHERE space_id = ${GROUP.id}`.execute(db);
    await recordTrace(db, {
      actor: owner.id,
      kind: 'chat.message',
      space: GROUP.id,
      subject: 'm_before_crash',
      payload: { text: 'Message acquitté juste avant la panne' },
    });
    // The search says an act is still waiting.
    await page.goto(`${preau.url}/archive?space=${GROUP.id}`);
    await expect
      .poll(() => page.getByTestId('search-pending').textContent())
      .toContain('1 acte(s) correspondant à cette recherche');

    await page.getByRole('link', { name: 'Dossiers' }).click();
    await page.getByLabel('Référence').fill('PV 2026/1107');
    await page.getByLabel('Autorité requérante').fill('Parquet de Rennes');
    await page.getByLabel('Fondement juridique').fill('Réquisition, art. 60-1 CPP');
    await page.getByRole('button', { name: 'Ouvrir le dossier' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dossier PV 2026/1107');
    await (await choose(page, SPACE_FIELD, 'loire groupe', /Exposé sur la Loire/)).click();
    await page.getByRole('button', { name: 'Placer la conservation' }).click();
    await expect.poll(() => page.locator('.state-held').count()).toBe(1);
    expect(await page.locator('tbody').textContent()).toContain('Exposé sur la Loire');
    // Exported while the claim runs: the export waits 5 s for a claim that
    // does not move, then the page and the bundle say the act is missing.
    await page.getByRole('button', { name: 'Exporter le dossier' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 30_000 })
      .toMatch(/Export créé : \d+ traces/);
    expect(await page.getByRole('alert').textContent()).toContain(
      'Incomplet : 1 acte(s) du périmètre',
    );
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    const download = async () => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('link', { name: /Télécharger l’export/ })
          .first()
          .click(),
      ]);
      const path = (await file.path())!;
      return { path, bytes: new Uint8Array(readFileSync(path)) };
    };
    const partial = await download();
    expect(verifyBundle(partial.bytes)).toMatchObject({ ok: true, pending: 1 });
    const partialManifest = JSON.parse(
      new TextDecoder().decode(unzipSync(partial.bytes)['MANIFEST.json']!),
    );
    expect(partialManifest.pending).toEqual([
      expect.objectContaining({ space: GROUP.id, kind: 'chat.message' }),
    ]);

    // The dead claim runs out; the next export holds the act, and the page
    // marks only the first export incomplete (after a reload too).
    await sql`UPDATE archive_space SET lease_until = now() - interval '1 second'
      WHERE space_id = ${GROUP.id}`.execute(db);
    // The server's own archiver may take the space up first: the export
    // then waits for it (storage/src/archive/pending.ts, drainForExport).
    await page.getByRole('button', { name: 'Exporter le dossier' }).click();
    await expect
      .poll(() => page.getByRole('link', { name: /Télécharger l’export/ }).count())
      .toBe(2);
    // The list is refreshed before the form's answer replaces the first one's alert.
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await page.reload();
    expect(await page.getByTestId('export-incomplete').count()).toBe(1);
    const { path, bytes } = await download();
    const report = verifyBundle(bytes);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      caseReference: 'PV 2026/1107',
      pending: 0,
      images: 1,
    });
    const files = unzipSync(bytes);
    const segments = Object.keys(files)
      .filter((f) => f.startsWith(`segments/${GROUP.id}/`) && f.endsWith('.jsonl'))
      .map((f) => new TextDecoder().decode(files[f]!))
      .join('');
    expect(segments).toContain('Message acquitté juste avant la panne');
    // The pad's image, byte for byte, beside the pad.
    expect(files[`documents/${GROUP.id}/${padDoc!.id}/images/${imageId}.png`]).toEqual(image);
    const pad = Object.keys(files).find(
      (f) => f.startsWith(`documents/${GROUP.id}/`) && f.endsWith('.html'),
    );
    expect(new TextDecoder().decode(files[pad!]!)).toContain('plus long fleuve de France');
    const scope = JSON.parse(new TextDecoder().decode(files['case.json']!)).scope;
    expect(scope.spaces).toEqual([GROUP.id]);

    // `./preau verify` accepts it against the keys Préau publishes.
    const dir = mkdtempSync(join(tmpdir(), 'preau-keys-'));
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, await (await fetch(`${preau.url}/api/archive/keys`)).text());
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'storage/src/archive/verify-cli.ts', path, '--key', keys],
      { cwd: ROOT },
    );
    rmSync(dir, { recursive: true });
    expect(stdout).toContain('OK: every hash, every chain and every signature verifies');
    await context.close();
  });
});
