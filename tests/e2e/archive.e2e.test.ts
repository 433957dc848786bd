import { readFileSync } from 'node:fs';
import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, readAudit, verifyBundle } from '@preau/storage';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { personId, recordLesson } from '../support/archive';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const SPACE = classSpaceId(classIdOf(DEMO_SCHOOLS.college.uai, '3e A'));

describe('the archive area, in Chromium against the whole of Préau', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let archivist: BrowserContext;
  let lea: string;
  let teacher: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    archivist = await browser.newContext({ acceptDownloads: true });
    lea = await personId(preau, 'eleve.lea.bernard');
    teacher = await personId(preau, 'prof.martin');
    await recordLesson(preau, SPACE, {
      teacher,
      pupil: lea,
      session: 'sess_e2e',
      message: 'msg_e2e_1',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('refuses students, teachers and admins (403), and asks the signed-out to sign in', async () => {
    for (const login of ['eleve.lea.bernard', 'prof.martin', 'admin', 'dpo']) {
      const session = await signInApi(preau.url, login);
      const search = await session.fetch(`/api/archive/search?space=${SPACE}`);
      expect(search.status, login).toBe(403);
      expect((await search.json()).error.code).toBe('forbidden');
      const open = await session.fetch('/api/archive/cases', {
        body: { reference: `X-${login}`, legalBasis: 'x', authority: 'x' },
      });
      expect(open.status, login).toBe(403);
      const page = await fetch(`${preau.url}/archive`, { headers: { cookie: session.cookie } });
      expect(page.status, login).toBe(403);
    }
    const student = await signInApi(preau.url, 'eleve.lea.bernard');
    expect((await student.fetch('/api/archive/audit')).status).toBe(403);
    expect((await fetch(`${preau.url}/api/archive/search?space=${SPACE}`)).status).toBe(401);
    const signedOut = await fetch(`${preau.url}/archive`, { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toContain('/auth/login');
  });

  it('lets the archivist find the pad, board, chat and live-session activity, open a case, hold, export', async () => {
    const page = await archivist.newPage();
    await signIn(page, preau.url, 'archiviste', '/archive');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Recherche dans les traces');
    // The background archiver drains the outbox within about a second.
    await expect
      .poll(async () => {
        const left = await preau.services.database.db
          .selectFrom('trace_outbox')
          .select('seq')
          .where('space_id', '=', SPACE)
          .execute();
        return left.length;
      })
      .toBe(0);
    // The person is chosen by name in the list, as the archivist types it (once the scripts run).
    await scriptsRunning(page);
    const person = page.getByRole('combobox', { name: 'Personne' });
    await person.pressSequentially('lea bernard', { delay: 30 });
    await expect.poll(() => page.getByRole('option', { name: /Léa Bernard/ }).count()).toBe(1);
    await person.press('ArrowDown');
    await person.press('Enter');
    await page.getByRole('button', { name: 'Rechercher' }).press('Enter');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThanOrEqual(6);
    const rows = await page.locator('tbody tr').allTextContents();
    const all = rows.join('\n');
    // A pad, a board, a chat and a live session: each found, names resolved, kinds in French.
    expect(all).toContain('Bonjour madame, je ne vois pas le tableau');
    expect(rows.filter((r) => r.includes('modification de document'))).toHaveLength(2);
    expect(all).toContain('micro coupé : Léa Bernard');
    for (const kind of [
      'arrivée en classe en direct',
      'départ de classe en direct',
      'message de discussion',
      'action de modération',
    ]) {
      expect(all, kind).toContain(kind);
    }
    expect(rows.find((r) => r.includes('message de discussion'))).toContain('Léa Bernard');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    await page
      .locator('tbody tr')
      .filter({ hasText: 'message de discussion' })
      .getByRole('link')
      .click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Trace n° \d+ — 3e A$/);
    expect(await page.locator('pre').textContent()).toContain('je ne vois pas le tableau');

    await page.getByRole('link', { name: 'Dossiers' }).click();
    await page.getByLabel('Référence').fill('PV 2026/0999');
    await page.getByLabel('Autorité requérante').fill('Parquet de Rennes');
    await page.getByLabel('Fondement juridique').fill('Réquisition, art. 60-1 CPP');
    await page.getByRole('button', { name: 'Ouvrir le dossier' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dossier PV 2026/0999');
    await scriptsRunning(page);
    const space = page.getByRole('combobox', { name: 'Espace (classe, groupe ou projet)' });
    await space.pressSequentially('3e A', { delay: 30 });
    await page.getByRole('option', { name: /3e A/ }).click();
    await page.getByRole('button', { name: 'Placer la conservation' }).click();
    await expect.poll(() => page.locator('.state-held').count()).toBe(1);
    await page.getByRole('button', { name: 'Exporter le dossier' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/Export créé : \d+ traces/);
    const status = (await page.getByRole('status').textContent()) ?? '';
    const exported = Number(/(\d+) traces/.exec(status)?.[1]);
    // Everything recorded in the held space: our activity and the directory's membership traces.
    expect(exported).toBeGreaterThanOrEqual(9);
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Télécharger l’export/ }).click(),
    ]);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const report = verifyBundle(bytes);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, caseReference: 'PV 2026/0999', records: exported });
    const chat = await preau.services.database.db
      .selectFrom('archive_record')
      .select('seq')
      .where('space_id', '=', SPACE)
      .where('kind', '=', 'chat.message')
      .executeTakeFirstOrThrow();
    // The keys Préau publishes are the ones that signed it.
    const keys = await (await fetch(`${preau.url}/api/archive/keys`)).json();
    expect(verifyBundle(bytes, { trustedKeys: keys.keys }).ok).toBe(true);
    const at = Buffer.from(bytes).indexOf(Buffer.from('Bonjour madame'));
    const altered = bytes.slice();
    altered[at + 3] = altered[at + 3]! ^ 0x20;
    const broken = verifyBundle(altered);
    expect(broken.ok).toBe(false);
    expect(broken.problems[0]).toMatchObject({
      file: expect.stringMatching(/^segments\//),
      seq: chat.seq,
    });
  });

  it('shows the DPO every archivist action in the hash-chained audit log; the archivist cannot read it', async () => {
    const archivistApi = await signInApi(preau.url, 'archiviste');
    expect((await archivistApi.fetch('/api/archive/audit')).status).toBe(403);
    const dpoContext = await browser.newContext();
    const page = await dpoContext.newPage();
    await signIn(page, preau.url, 'dpo', '/dpo');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Journal d’audit des archives');
    expect(await page.locator('.chain-ok').textContent()).toMatch(/Chaîne intègre/);
    const table = (await page.locator('tbody').first().textContent()) ?? '';
    for (const action of [
      'recherche',
      'lecture d’une trace',
      'ouverture de dossier',
      'conservation placée',
      'export scellé',
      'téléchargement d’un export',
    ]) {
      expect(table, action).toContain(action);
    }
    expect(table).toContain('Anne Lambert');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    const archivistId = await personId(preau, 'archiviste');
    const byArchivist = (await readAudit(preau.services.database.db, { actor: archivistId })).map(
      (e) => e.action,
    );
    expect(new Set(byArchivist)).toEqual(
      new Set(['search', 'read', 'case.open', 'hold.place', 'export', 'export.download']),
    );
    await dpoContext.close();
  });

  it('lets an admin set a school’s retention (audited), the DPO read it, nobody else change it', async () => {
    const rule = { scope: DEMO_SCHOOLS.college.uai, kind: 'chat.message', days: 400 };
    for (const login of ['eleve.lea.bernard', 'prof.martin', 'archiviste', 'dpo']) {
      const session = await signInApi(preau.url, login);
      const put = await session.fetch('/api/archive/retention', { method: 'PUT', body: rule });
      expect(put.status, login).toBe(403);
    }
    const admin = await signInApi(preau.url, 'admin');
    const bad = await admin.fetch('/api/archive/retention', {
      method: 'PUT',
      body: { ...rule, days: 0 },
    });
    expect(bad.status).toBe(400);
    expect(
      (await admin.fetch('/api/archive/retention', { method: 'PUT', body: rule })).status,
    ).toBe(200);
    const dpo = await signInApi(preau.url, 'dpo');
    const read = await (await dpo.fetch('/api/archive/retention')).json();
    expect(read.data.rules).toContainEqual(rule);
    expect(read.data.defaults['chat.message']).toBe(730);
    const audit = await readAudit(preau.services.database.db);
    expect(audit.at(-1)).toMatchObject({ action: 'retention.set', role: 'admin', details: rule });
  });
});
