import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, readAudit } from '@preau/storage';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signIn, signInApi } from '../support/signin';

const SPACE = classSpaceId(classIdOf(DEMO_SCHOOLS.college.uai, '3e A'));

async function data<T>(res: Response): Promise<T> {
  const body = await res.json();
  if (!body.ok) throw new Error(`${res.status} ${JSON.stringify(body.error)}`);
  return body.data as T;
}

describe('closing a case, in Chromium against the whole of Préau', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let archivist: ApiSession;
  let caseId: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    archivist = await signInApi(preau.url, 'archiviste');
    ({ id: caseId } = await data<{ id: string }>(
      await archivist.fetch('/api/archive/cases', {
        body: {
          reference: 'PV 2026/0777',
          legalBasis: 'Réquisition, art. 60-1 CPP',
          authority: 'Parquet de Rennes',
        },
      }),
    ));
    await data(
      await archivist.fetch(`/api/archive/cases/${caseId}/holds`, { body: { space: SPACE } }),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('refuses a teacher (403) and a bad closing (400), and changes nothing', async () => {
    const teacher = await signInApi(preau.url, 'prof.martin');
    const close = await teacher.fetch(`/api/archive/cases/${caseId}/close`, {
      body: { outcome: 'Classement', closedOn: '2026-01-01' },
    });
    expect(close.status).toBe(403);
    expect((await close.json()).error.code).toBe('forbidden');
    const page = await fetch(`${preau.url}/archive/cases/${caseId}`, {
      headers: { cookie: teacher.cookie },
    });
    expect(page.status).toBe(403);
    for (const body of [
      { outcome: '', closedOn: '2026-01-01' },
      { outcome: 'Classement sans suite', closedOn: '2999-01-01' },
      { outcome: 'Classement sans suite', closedOn: 'demain' },
    ]) {
      const bad = await archivist.fetch(`/api/archive/cases/${caseId}/close`, { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const file = await data<{
      case: { closedAt: string | null };
      holds: { liftedAt: string | null }[];
    }>(await archivist.fetch(`/api/archive/cases/${caseId}`));
    expect(file.case.closedAt).toBeNull();
    expect(file.holds.map((h) => h.liftedAt)).toEqual([null]);
  });

  it('lets the archivist close the case by keyboard: holds lifted, page read-only, listed apart, still exportable', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, preau.url, 'archiviste', `/archive/cases/${caseId}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dossier PV 2026/0777');
    // Typed before the page's scripts start, a field would be reset by them: wait for them.
    await scriptsRunning(page);
    expect(await page.getByText('La clôture lève les 1 conservation(s) active(s)').count()).toBe(1);
    // The decision date defaults to today; the outcome is required, and so is the confirmation.
    expect(await page.getByLabel('Date de la décision').inputValue()).toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
    await page
      .getByLabel('Issue de la procédure (motif de la clôture)')
      .fill('Jugement définitif du tribunal correctionnel');
    await page
      .getByLabel('Je confirme la clôture du dossier et la levée de ses conservations')
      .focus();
    await page.keyboard.press('Space');
    expect(
      await page
        .getByLabel('Je confirme la clôture du dossier et la levée de ses conservations')
        .isChecked(),
    ).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('Dossier clos : 1 conservation(s) levée(s).');
    expect(await page.getByRole('heading', { name: 'Dossier clos' }).count()).toBe(1);
    expect(await page.locator('.case-closed').textContent()).toContain(
      'Jugement définitif du tribunal correctionnel',
    );
    // Read-only: no hold can be placed or lifted, no second closing.
    expect(await page.getByRole('button', { name: 'Placer la conservation' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lever la conservation' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clore le dossier' }).count()).toBe(0);
    expect(await page.locator('tbody').textContent()).toContain('levée le');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    // The API refuses a new hold too.
    const hold = await archivist.fetch(`/api/archive/cases/${caseId}/holds`, {
      body: { space: SPACE },
    });
    expect(hold.status).toBe(409);
    // Still exportable, for the record.
    await page.getByRole('button', { name: 'Exporter le dossier' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toMatch(/Export créé : \d+ traces/);

    await page
      .getByRole('navigation', { name: 'Espace archives' })
      .getByRole('link', { name: 'Dossiers', exact: true })
      .click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dossiers');
    const closedList = page.locator('section', {
      has: page.getByRole('heading', { name: 'Dossiers clos' }),
    });
    expect(await closedList.getByRole('link').allTextContents()).toEqual(['PV 2026/0777']);
    const openList = page.locator('section', {
      has: page.getByRole('heading', { name: 'Dossiers ouverts' }),
    });
    expect(await openList.textContent()).toContain('Aucun dossier ouvert.');
    expect(await accessibilityProblems(page, { tags: WCAG_21_AA })).toEqual([]);
    await context.close();
  });

  it('shows the DPO the closing in the audit log', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, preau.url, 'dpo', '/dpo');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Journal d’audit des archives');
    const row = page.locator('tbody tr').filter({ hasText: 'clôture de dossier' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('PV 2026/0777');
    expect(await row.textContent()).toContain('Jugement définitif du tribunal correctionnel');
    expect(await page.locator('.chain-ok').textContent()).toMatch(/Chaîne intègre/);
    const listed = page.locator('section', {
      has: page.getByRole('heading', { name: 'Dossiers', exact: true }),
    });
    const item = (await listed.getByRole('listitem').textContent()) ?? '';
    expect(item.replace(/\s+/g, ' ')).toMatch(/^PV 2026\/0777 .* · clos le \d+ \S+ \d{4}$/);
    await context.close();
    const closing = (await readAudit(preau.services.database.db, { caseId })).map((e) => e.action);
    expect(closing).toEqual(['case.open', 'hold.place', 'hold.lift', 'case.close', 'export']);
  });
});
