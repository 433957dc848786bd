import { MEMBERSHIP_CHANNEL, MembershipChange } from '@preau/protocol';
import { personIdByLogin } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const GOOD = `school;0560002B;Collège Les Embruns;collège;Vannes
class;0560002B;6e 1
person;prof.le-goff;Yann;Le Goff
profile;prof.le-goff;0560002B;teacher;6e 1
person;eleve.tom.robin;Tom;Robin
profile;eleve.tom.robin;0560002B;student;6e 1
`;
const BAD = `school;0560009Z;Collège Fantôme;collège;Quimper
class;0560009Z;5e 3
person;eleve.fantome;Gaspard;Fantôme
profile;eleve.fantome;0560009Z;student;5e 9
role;eleve.fantome;roi
`;

describe('directory admin pages, refusals and accessibility, in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });
  const pageAs = async (login: string, returnTo = '/') => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, preau.url, login, returnTo);
    return page;
  };
  const upload = async (page: Page, name: string, text: string) => {
    await page.getByLabel('Fichier CSV').setInputFiles({
      name,
      mimeType: 'text/csv',
      buffer: Buffer.from(text),
    });
    await page.getByRole('button', { name: 'Vérifier et importer' }).click();
  };

  it('lets an admin browse the directory and import good, repeated and bad files', async () => {
    const page = await pageAs('admin', '/admin');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Annuaire');
    expect(await page.locator('main').textContent()).toContain('Collège Anne de Bretagne');
    await expectAccessible(page);
    // A table that widens inside a box of the same width (a longer value in a
    // row) makes the box a region the arrows can scroll, and no longer once
    // it fits again: the box's content is watched, not only the box.
    const box = page.locator('main .table-wrap').first();
    expect(await box.getAttribute('tabindex')).toBeNull();
    await box
      .locator('tbody td')
      .first()
      .evaluate((cell) => {
        const wide = document.createElement('span');
        wide.id = 'widening';
        wide.style.whiteSpace = 'nowrap';
        wide.textContent = 'Mme '.repeat(200);
        cell.append(wide);
      });
    await expect.poll(() => box.getAttribute('tabindex')).toBe('0');
    expect(await box.getAttribute('role')).toBe('region');
    await page.locator('#widening').evaluate((wide) => wide.remove());
    await expect.poll(() => box.getAttribute('tabindex')).toBeNull();

    await page.getByRole('link', { name: 'Personnes' }).click();
    await page.getByLabel('Nom ou identifiant').fill('martin');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(() => page.getByRole('row', { name: /Claire Martin/ }).count()).toBe(1);
    await expectAccessible(page);

    await page.goto(`${preau.url}/admin/import`);
    await expectAccessible(page);
    const announced: MembershipChange[] = [];
    const unsubscribe = await preau.services.fanout.subscribe(MEMBERSHIP_CHANNEL, (m) =>
      announced.push(MembershipChange.parse(JSON.parse(m))),
    );
    await upload(page, 'annuaire.csv', GOOD);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Import appliqué (6 lignes)');
    expect(await page.getByRole('status').textContent()).toContain('1 établissements');
    await expectAccessible(page);
    // Each committed membership change is announced for the realtime servers.
    await expect.poll(() => announced.length).toBe(2);
    expect(announced.map((c) => [c.space, c.change, c.role]).sort()).toEqual([
      ['class_0560002B_6e1', 'added', 'student'],
      ['class_0560002B_6e1', 'added', 'teacher'],
    ]);
    await unsubscribe();
    await upload(page, 'annuaire.csv', GOOD);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Aucun changement');

    await upload(page, 'mauvais.csv', BAD);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Import refusé : 2 lignes incorrectes');
    const rows = page.locator('#import-issues tbody tr');
    expect(await rows.locator('th').allTextContents()).toEqual(['4', '5']);
    expect(await rows.nth(0).locator('td').textContent()).toContain('classe inconnue « 5e 9 »');
    await expectAccessible(page);
    const db = preau.services.database.db;
    expect(await personIdByLogin(db, 'eleve.fantome')).toBeNull();
    expect(await personIdByLogin(db, 'eleve.tom.robin')).not.toBeNull();
  }, 180_000);

  it('refuses students and teachers on admin pages and the admin API (403)', async () => {
    for (const login of ['eleve.lea.bernard', 'prof.martin']) {
      const page = await pageAs(login);
      for (const path of ['/admin', '/admin/personnes', '/admin/import']) {
        const res = await page.goto(`${preau.url}${path}`);
        expect(res?.status(), `${login} ${path}`).toBe(403);
        expect(await page.locator('main').textContent()).toContain('Vous n’avez pas accès');
      }
      await expectAccessible(page);
      expect(await page.getByRole('link', { name: 'Annuaire' }).count()).toBe(0);
      const api = await signInApi(preau.url, login);
      for (const path of ['/api/admin/directory/schools', '/api/admin/directory/persons']) {
        const res = await api.fetch(path);
        expect(res.status, `${login} ${path}`).toBe(403);
      }
      const imported = await api.fetch('/api/admin/directory/import', { body: { csv: GOOD } });
      expect(imported.status).toBe(403);
      expect(await imported.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const form = new FormData();
      form.set('fichier', new Blob([GOOD], { type: 'text/csv' }), 'x.csv');
      const action = await fetch(`${preau.url}/admin/import`, {
        method: 'POST',
        headers: { cookie: api.cookie, origin: preau.url },
        body: form,
      });
      expect(action.status).toBe(403);
    }
    const anonymous = await fetch(`${preau.url}/api/admin/directory/schools`);
    expect(anonymous.status).toBe(401);
  }, 180_000);

  it('serves the admin API to admins, validated by the shared schemas', async () => {
    const api = await signInApi(preau.url, 'admin');
    const schools = await (await api.fetch('/api/admin/directory/schools')).json();
    expect(schools.data.map((s: { uai: string }) => s.uai)).toContain('0350042K');
    const persons = await (
      await api.fetch('/api/admin/directory/persons?q=bernard&limit=5')
    ).json();
    expect(persons.data.persons.length).toBeGreaterThan(0);
    expect(persons.data.persons.length).toBeLessThanOrEqual(5);
    const bad = await api.fetch('/api/admin/directory/persons?limit=0&uai=nope');
    expect(bad.status).toBe(400);
    const report = await (
      await api.fetch('/api/admin/directory/import', { body: { csv: BAD } })
    ).json();
    expect(report.data.applied).toBe(false);
    expect(report.data.issues.map((i: { line: number }) => i.line)).toEqual([4, 5]);
  });

  it('shows a class page with its roster to members, and 403 to others', async () => {
    const page = await pageAs('prof.martin');
    await page
      .getByRole('region', { name: 'Mes classes' })
      .getByRole('link', { name: '3e A' })
      .click();
    await page.waitForURL(`${preau.url}/espaces/class_0350042K_3eA`);
    expect(await page.locator('h1').textContent()).toBe('Classe 3e A');
    expect(await page.getByRole('list', { name: 'Enseignants' }).textContent()).toContain(
      'Claire Martin',
    );
    expect(
      await page
        .getByRole('list', { name: /Élèves/ })
        .locator('li')
        .count(),
    ).toBe(16);
    await expectAccessible(page);
    const outsider = await pageAs('eleve.hugo.petit');
    const res = await outsider.goto(`${preau.url}/classes/0350042K_3eA`);
    expect(res?.status()).toBe(403);
    const missing = await outsider.goto(`${preau.url}/classes/0350042K_nope`);
    expect(missing?.status()).toBe(404);
    await expectAccessible(outsider);
  });

  it('passes axe on the home pages, the demo provider and the sign-in outcome pages', async () => {
    const anonymous = await (await browser.newContext()).newPage();
    await anonymous.goto(preau.url);
    await expectAccessible(anonymous);
    await anonymous.goto(`${preau.url}/auth/login`);
    await anonymous.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
    await expectAccessible(anonymous);
    await anonymous.goto(`${preau.url}/auth/erreur?raison=expired`);
    await expectAccessible(anonymous);
    for (const login of ['eleve.lea.bernard', 'archiviste', 'cpe.girard']) {
      const page = await pageAs(login);
      await expectAccessible(page);
      const regions = await page.locator('main section h2').allTextContents();
      if (login === 'cpe.girard') expect(regions).toEqual(['Classes de mon établissement']);
      if (login === 'archiviste') expect(regions).toEqual(['Mes outils']);
      if (login === 'eleve.lea.bernard') expect(regions).toContain('Mes classes');
    }
    // Staff of the school may open its classes' pages.
    const cpe = await pageAs('cpe.girard');
    await cpe.getByRole('link', { name: '3e A' }).click();
    await expect.poll(() => cpe.locator('h1').textContent()).toBe('Classe 3e A');
    const phone = await (
      await browser.newContext({ viewport: { width: 360, height: 740 } })
    ).newPage();
    await signIn(phone, preau.url, 'prof.martin');
    await expectAccessible(phone);
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // On a phone the account sits behind the header's menu button.
    await phone.getByRole('button', { name: 'Menu' }).click();
    await phone.getByRole('button', { name: 'Se déconnecter' }).click();
    await phone.waitForURL((u) => u.pathname.startsWith('/oidc/session/end'));
    await expectAccessible(phone);
  }, 240_000);

  it('describes the API as OpenAPI 3 generated from the shared schemas', async () => {
    const doc = await (await fetch(`${preau.url}/api/openapi.json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    const tokens = doc.paths['/api/tokens'].post;
    const body = tokens.requestBody.content['application/json'].schema;
    expect(body.properties.audience.enum).toEqual(['preau:classroom', 'preau:docs']);
    expect(body.required).toEqual(['audience', 'space']);
    expect(tokens.responses['403']).toBeDefined();
    const persons = doc.paths['/api/admin/directory/persons'].get;
    expect(persons.parameters.map((p: { name: string }) => p.name)).toEqual([
      'q',
      'uai',
      'offset',
      'limit',
    ]);
    expect(doc.paths['/api/classes/{classId}/members'].get.parameters[0]).toMatchObject({
      name: 'classId',
      in: 'path',
    });
  });
});
