import type { Invitation, Invitee, TokenResponse } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signIn, signInApi } from '../support/signin';

const GROUP = 'Exposé sur la Loire';
const classA = demoDirectory().accounts.filter(
  (a) => a.group === 'student' && a.className === '3e A',
);
const lea = classA.find((a) => a.login === 'eleve.lea.bernard')!;
const [mate, third] = classA.filter((a) => a.login !== lea.login);
const LYCEE_CLASS = classIdOf(DEMO_SCHOOLS.lycee.uai, '1re G2');

/** `{ ok, data }` of an API answer, with its status. */
async function call<T>(
  session: ApiSession,
  path: string,
  init?: { method?: string; body?: unknown },
) {
  const res = await session.fetch(path, init);
  const body = (await res.json()) as { ok: boolean; data: T; error?: { code: string } };
  return { status: res.status, ...body };
}

/** Picks a person in the invitation combobox by keyboard. */
async function pickByKeyboard(page: Page, name: string) {
  // The search answers typing (an input event): typed before the page's
  // scripts run, the letters sit in the box and nothing is searched.
  await scriptsRunning(page);
  const box = page.getByRole('combobox', { name: 'Chercher une personne par son nom' });
  await box.fill(name.split(' ')[0]!);
  await expect.poll(() => page.getByRole('option').count()).toBeGreaterThan(0);
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect
    .poll(() => page.getByRole('list', { name: 'Personnes choisies' }).textContent())
    .toContain(name);
}

describe('work groups and projects in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let leaCtx: BrowserContext;
  let mateCtx: BrowserContext;
  let otherCtx: BrowserContext;
  let leaPage: Page;
  let matePage: Page;
  let other: Page;
  let groupId = '';
  let projectId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    [leaCtx, mateCtx, otherCtx] = await Promise.all([
      browser.newContext(),
      browser.newContext(),
      browser.newContext(),
    ]);
    [leaPage, matePage, other] = await Promise.all([
      leaCtx.newPage(),
      mateCtx.newPage(),
      otherCtx.newPage(),
    ]);
    for (const page of [leaPage, matePage, other])
      page.on('pageerror', (e) => problems.push(e.message));
    await signIn(leaPage, preau.url, lea.login);
    await signIn(matePage, preau.url, mate!.login);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('a student creates a group in two steps; the classmate sees the invitation arrive live and joins in one click', async () => {
    // The classmate waits on the home page; nothing reloads it.
    await matePage.goto(`${preau.url}/`);
    await matePage.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    await leaPage.goto(`${preau.url}/espaces/nouveau`);
    await scriptsRunning(leaPage);
    await expectAccessible(leaPage);
    await leaPage.getByLabel('Nom').fill(GROUP);
    await leaPage.getByRole('button', { name: 'Créer et inviter' }).click();
    await leaPage.waitForURL(/\/espaces\/group_[^/]+\/membres\?nouveau=1$/);
    groupId = new URL(leaPage.url()).pathname.split('/')[2]!;
    await expect
      .poll(() => leaPage.getByRole('heading', { level: 2 }).first().textContent())
      .toBe('Étape 2 sur 2 : inviter');
    await pickByKeyboard(leaPage, mate!.name);
    // The option shows why: same class.
    await expectAccessible(leaPage);
    await leaPage.getByRole('button', { name: 'Envoyer les invitations' }).click();
    await expect
      .poll(() => leaPage.getByRole('status').first().textContent())
      .toContain('1 invitation');
    // The picker starts afresh once the invitations are sent.
    expect(await leaPage.getByRole('list', { name: 'Personnes choisies' }).count()).toBe(0);

    const toast = matePage.getByRole('region', { name: 'Notifications' });
    await expect
      .poll(() => toast.textContent())
      .toContain(`${lea.name} vous invite dans « ${GROUP} »`);
    await expect
      .poll(() => matePage.getByRole('link', { name: /^Invitations/ }).textContent())
      .toContain('1');
    expect(await matePage.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    await toast.getByRole('button', { name: 'Accepter' }).click();
    await matePage.waitForURL(`**/espaces/${groupId}`);
    expect(await matePage.locator('h1').textContent()).toBe(GROUP);
    await matePage.reload();
    expect(await matePage.locator('h1').textContent()).toBe(GROUP);
    // The inviter hears of the answer, without reloading.
    await expect
      .poll(() => leaPage.getByRole('region', { name: 'Notifications' }).textContent())
      .toContain(`${mate!.name} a accepté de rejoindre « ${GROUP} »`);
    await matePage.goto(`${preau.url}/espaces/${groupId}/membres`);
    expect(await matePage.locator('.member-list').first().textContent()).toContain(lea.name);
    expect(await matePage.getByRole('link', { name: /^Invitations/ }).textContent()).not.toMatch(
      /\d/,
    );
  });

  it('staff set the bound to 2 members: a third invitation is refused in French', async () => {
    await signIn(other, preau.url, 'cpe.girard', '/etablissement');
    await expectAccessible(other);
    expect(await other.locator('table').textContent()).toContain(GROUP);
    await other.getByLabel('Membres par groupe au plus').fill('2');
    await other.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => other.getByRole('status').textContent()).toBe('Règles enregistrées.');

    await leaPage.goto(`${preau.url}/espaces/${groupId}/membres`);
    await pickByKeyboard(leaPage, third!.name);
    await leaPage.getByRole('button', { name: 'Envoyer les invitations' }).click();
    await expect
      .poll(() => leaPage.getByRole('alert').textContent())
      .toBe('Un groupe de travail compte au plus 2 membres dans cet établissement.');
  });

  it('staff suspend the group: members see it read-only and cannot write through the API', async () => {
    await other.goto(`${preau.url}/espaces/${groupId}/membres`);
    await scriptsRunning(other);
    await expectAccessible(other);
    await other.getByLabel('Motif de la suspension').fill('Messages insultants');
    await other.getByRole('button', { name: 'Suspendre' }).click();
    // The space's layout now says the group is suspended too (its own status line).
    await expect
      .poll(() => other.getByRole('status').filter({ hasText: 'C’est fait.' }).count())
      .toBe(1);
    expect(await other.getByRole('status').first().textContent()).toContain('suspendu');

    await matePage.setViewportSize({ width: 390, height: 844 });
    await matePage.goto(`${preau.url}/espaces/${groupId}/membres`);
    expect(await matePage.getByRole('note').last().textContent()).toContain('suspendu');
    await expectAccessible(matePage);
    const mateApi = await signInApi(preau.url, mate!.login);
    const token = await call<TokenResponse>(mateApi, '/api/tokens', {
      body: { audience: 'preau:docs', space: groupId },
    });
    if (token.ok) expect(token.data.rights).not.toContain('write');
    else expect(token.status).toBe(403);
    const invite = await call(mateApi, `/api/spaces/${groupId}/state`, {
      body: { state: 'active' },
    });
    expect(invite.status).toBe(403);
  });

  it('a teacher opens a project with a teacher of the other school, who brings a class; a guest sees only the project', async () => {
    await otherCtx.clearCookies();
    await signIn(other, preau.url, 'prof.martin', '/espaces/nouveau');
    await other.getByRole('radio', { name: /Projet/ }).check();
    await other.getByLabel('Nom').fill('Correspondance Rennes–Brest');
    await other.getByRole('button', { name: 'Créer et inviter' }).click();
    await other.waitForURL(/\/espaces\/project_[^/]+\/membres\?nouveau=1$/);
    projectId = new URL(other.url()).pathname.split('/')[2]!;

    const martin = await signInApi(preau.url, 'prof.martin');
    const found = await call<Invitee[]>(martin, `/api/spaces/${projectId}/invitees?q=Robert`);
    expect(found.data).toEqual([
      expect.objectContaining({ kind: 'teacher', schoolName: DEMO_SCHOOLS.lycee.name }),
    ]);
    expect(
      (await call<Invitee[]>(martin, `/api/spaces/${projectId}/invitees?q=Garcia`)).data,
    ).toEqual([]);
    await call(martin, `/api/spaces/${projectId}/invitations`, {
      body: { personIds: [found.data[0]!.personId] },
    });
    // The invited teacher answers from the invitations page, in one click.
    await otherCtx.clearCookies();
    await signIn(other, preau.url, 'prof.robert', '/invitations');
    await expectAccessible(other);
    const line = other.getByRole('listitem').filter({ hasText: 'Correspondance Rennes–Brest' });
    await line.getByRole('button', { name: 'Accepter' }).click();
    await other.waitForURL(`**/espaces/${projectId}`);
    const robert = await signInApi(preau.url, 'prof.robert');
    expect((await call<Invitation[]>(robert, '/api/invitations')).data).toEqual([]);
    const classes = await call(robert, `/api/spaces/${projectId}/classes`, {
      body: { classId: LYCEE_CLASS },
    });
    expect(classes.data).toEqual([expect.objectContaining({ classId: LYCEE_CLASS })]);

    // The project teacher creates a guest from the members page and sees the link once.
    await otherCtx.clearCookies();
    await signIn(other, preau.url, 'prof.martin', `/espaces/${projectId}/membres`);
    expect(await other.locator('.member-list').first().textContent()).toContain(
      DEMO_SCHOOLS.lycee.name,
    );
    await other.getByLabel('Prénom').fill('Jeanne');
    await other.getByLabel('Nom', { exact: true }).fill('Peintre');
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await other.getByLabel('Accès jusqu’au').fill(until);
    await other.getByRole('button', { name: 'Créer l’accès' }).click();
    const link = (await other.locator('.guest-link').textContent({ timeout: 10_000 }))!;
    expect(link).toMatch(/\/invite\/[\w-]+$/);
    await expectAccessible(other);

    // A work group made inside the project, from the project's « new group » link.
    await other.goto(`${preau.url}/espaces/nouveau?projet=${projectId}`);
    expect(await other.locator('form.new-group').textContent()).toContain(
      'Le groupe sera créé dans le projet « Correspondance Rennes–Brest »',
    );
    await other.getByLabel('Nom').fill('Binôme Rennes–Brest');
    await other.getByRole('button', { name: 'Créer et inviter' }).click();
    await other.waitForURL(/\/espaces\/group_[^/]+\/membres\?nouveau=1$/);
    const inProject = new URL(other.url()).pathname.split('/')[2]!;

    await otherCtx.clearCookies();
    await other.goto(link);
    await expectAccessible(other);
    await other.getByRole('button', { name: 'Se connecter' }).click();
    await other.waitForURL(`**/espaces/${projectId}`);
    expect(await other.locator('h1').textContent()).toBe('Correspondance Rennes–Brest');
    expect((await other.goto(`${preau.url}/espaces/${groupId}/membres`))?.status()).toBe(404);
    expect((await other.goto(`${preau.url}/espaces/${inProject}`))?.status()).toBe(404);
    expect((await other.goto(`${preau.url}/invite/not-a-secret`))?.status()).toBe(200);
    expect(await other.getByRole('alert').textContent()).toContain('n’existe pas');
  });

  it('an outsider gets 404 on the group’s members page and every endpoint of it', async () => {
    const outsider = await signInApi(preau.url, 'prof.thomas');
    const page = await outsider.fetch(`/espaces/${groupId}/membres`);
    expect(page.status).toBe(404);
    const someone = (await signInApi(preau.url, lea.login)).fetch;
    const members = (await (await someone(`/api/spaces/${groupId}/members`)).json()) as {
      data: Array<{ personId: string }>;
    };
    const personId = members.data[0]!.personId;
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/spaces/${groupId}/members`],
      ['PATCH', `/api/spaces/${groupId}/members/${personId}`, { role: 'coowner' }],
      ['DELETE', `/api/spaces/${groupId}/members/${personId}`],
      ['GET', `/api/spaces/${groupId}/invitations`],
      ['POST', `/api/spaces/${groupId}/invitations`, { personIds: [personId] }],
      ['DELETE', `/api/spaces/${groupId}/invitations/inv_nope`],
      ['GET', `/api/spaces/${groupId}/invitees?q=Be`],
      ['POST', `/api/spaces/${groupId}/state`, { state: 'archived' }],
      ['GET', `/api/spaces/${groupId}/classes`],
      ['POST', `/api/spaces/${groupId}/classes`, { classId: LYCEE_CLASS }],
      [
        'POST',
        `/api/spaces/${projectId}/guests`,
        { givenName: 'A', familyName: 'B', until: '2099-01-01' },
      ],
      ['GET', `/api/spaces/${projectId}/members`],
    ];
    for (const [method, path, body] of calls) {
      const res = await outsider.fetch(path, { method, body });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 404`);
    }
    // The notification stream is an uncached event stream, for signed-in people only.
    const aborter = new AbortController();
    const stream = await fetch(`${preau.url}/api/me/notifications`, {
      headers: { cookie: outsider.cookie },
      signal: aborter.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-store');
    const first = await stream.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain(': ready');
    aborter.abort();
    expect((await fetch(`${preau.url}/api/me/notifications`)).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
