import type { MySpace } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory, sessionUserOf } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signIn, signInApi } from '../support/signin';

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const [owner, member] = demoDirectory()
  .accounts.filter((a) => a.className === CLASS)
  .slice(0, 2);
/** A student of the other school: an outsider to a collège's work group. */
const OUTSIDER = 'eleve.ines.moreau';
const PHONE = { width: 390, height: 844 };

/** Frames decoded of the camera a page shows for a participant (only tiles on screen are received). */
async function framesOf(page: Page, participantId: string): Promise<number> {
  return page.evaluate(async (id) => {
    const video = document.querySelector<HTMLVideoElement>(
      `figure[data-participant="${id}"][data-source="camera"] video`,
    );
    video?.scrollIntoView({ block: 'nearest' });
    const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    if (!track) return 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      for (const s of (await pc.getStats()).values()) {
        const stat = s as { type: string; trackIdentifier?: string; framesDecoded?: number };
        if (stat.type === 'inbound-rtp' && stat.trackIdentifier === track.id)
          return stat.framesDecoded ?? 0;
      }
    }
    return 0;
  }, participantId);
}

/** Keeps every RTCPeerConnection a page opens, so the test can read what it receives. */
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

describe('pages and API keyed by space; a work group’s salon without a teacher', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let ownerApi: ApiSession;
  let group: MySpace;
  const contexts: BrowserContext[] = [];
  const personId = async (login: string) =>
    (
      await preau.services.database.db
        .selectFrom('person')
        .select('id')
        .where('login', '=', login)
        .executeTakeFirstOrThrow()
    ).id;
  const pageAs = async (login: string, opts: { phone?: boolean; media?: boolean } = {}) => {
    const context = await browser.newContext({
      ...(opts.phone ? { viewport: PHONE, isMobile: true, hasTouch: true } : {}),
      ...(opts.media ? { permissions: ['camera', 'microphone'] } : {}),
    });
    contexts.push(context);
    if (opts.media) await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    await signIn(page, preau.url, login);
    return page;
  };
  const tabs = (page: Page) =>
    page.getByRole('navigation', { name: 'Rubriques de l’espace' }).getByRole('link');

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    ownerApi = await signInApi(preau.url, owner!.login);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await preau?.close();
  });

  it('answers every former class address with a 308 to the same page of the class’s space', async () => {
    const cases: Array<[string, string]> = [
      [`/classes/${classId}`, `/espaces/class_${classId}`],
      [`/classes/${classId}/live`, `/espaces/class_${classId}/direct`],
      [`/classes/${classId}/docs`, `/espaces/class_${classId}/documents`],
      [
        `/classes/${classId}/live/ls_abc/presences.csv?x=1`,
        `/espaces/class_${classId}/direct/ls_abc/presences.csv?x=1`,
      ],
    ];
    for (const [from, to] of cases) {
      const res = await fetch(`${preau.url}${from}`, {
        redirect: 'manual',
        headers: { cookie: ownerApi.cookie },
      });
      expect(res.status, from).toBe(308);
      expect(
        new URL(res.headers.get('location')!, preau.url).pathname +
          new URL(res.headers.get('location')!, preau.url).search,
      ).toBe(to);
    }
    // A bookmark of the class page still opens it, now under the space.
    const page = await pageAs('prof.martin');
    const res = await page.goto(`${preau.url}/classes/${classId}/docs`);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/espaces/class_${classId}/documents`);
    expect(await page.locator('h1').textContent()).toBe(`Documents et tableaux — ${CLASS}`);
    expect(await tabs(page).allTextContents()).toEqual([
      'Accueil',
      'Discussion',
      'Documents',
      'Classe en direct',
      'Fichiers',
      'Membres',
    ]);
    expect(await tabs(page).nth(2).getAttribute('aria-current')).toBe('page');
    await expectAccessible(page);
  });

  it('lets a student create a work group through the API and read it back', async () => {
    const created = await ownerApi.fetch('/api/spaces', {
      body: { kind: 'group', name: 'Exposé sur la Loire' },
    });
    expect(created.status).toBe(201);
    group = (await created.json()).data;
    expect(group).toMatchObject({ kind: 'group', role: 'owner', state: 'active' });
    const mine = (await (await ownerApi.fetch('/api/spaces')).json()).data as MySpace[];
    expect(mine.map((s) => s.id)).toContain(group.id);
    const one = await ownerApi.fetch(`/api/spaces/${group.id}`);
    expect(one.status).toBe(200);
    expect((await one.json()).data.name).toBe('Exposé sur la Loire');
    const bad = await ownerApi.fetch('/api/spaces', { body: { kind: 'group', name: '' } });
    expect(bad.status).toBe(400);

    // The classmate joins through the invitation service (the same call as its API).
    const services = preau.services;
    const as = async (login: string) =>
      (await sessionUserOf(services.database.db, await personId(login)))!;
    const [invitation] = await services.invitations.invite(await as(owner!.login), group.id, [
      await personId(member!.login),
    ]);
    await services.invitations.answer(await as(member!.login), invitation!.id, true);
  });

  it('shows the group’s pages with the tabs its members may use, accessible, on a phone too', async () => {
    for (const phone of [false, true]) {
      const page = await pageAs(owner!.login, { phone });
      await page.goto(`${preau.url}/espaces/${group.id}`);
      expect(await page.locator('h1').textContent()).toBe('Exposé sur la Loire');
      expect(await page.locator('.space-head').textContent()).toContain('Groupe de travail');
      expect(await tabs(page).allTextContents()).toEqual([
        'Accueil',
        'Discussion',
        'Documents',
        'Salon',
        'Fichiers',
        'Membres',
      ]);
      expect(await tabs(page).first().getAttribute('aria-current')).toBe('page');
      const members = page.locator('#space-member-list li');
      expect(await members.count()).toBe(2);
      expect(await members.allTextContents()).toEqual([
        expect.stringContaining('propriétaire'),
        expect.stringContaining('membre'),
      ]);
      await expectAccessible(page);
      for (const path of ['documents', 'direct']) {
        await page.goto(`${preau.url}/espaces/${group.id}/${path}`);
        await expectAccessible(page);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${path} on ${phone ? 'a phone' : 'a desktop'}`).toBeLessThanOrEqual(0);
      }
    }
    // The school's staff oversee the group: its members, never its content.
    const cpe = await pageAs('cpe.girard');
    await cpe.goto(`${preau.url}/espaces/${group.id}`);
    expect(await tabs(cpe).allTextContents()).toEqual(['Accueil', 'Membres']);
    expect(await cpe.locator('#space-member-list li').count()).toBe(2);
    expect((await cpe.goto(`${preau.url}/espaces/${group.id}/documents`))?.status()).toBe(403);
    // A pad made in the group lives there: its trail leads back to the group.
    const page = await pageAs(member!.login);
    await page.goto(`${preau.url}/espaces/${group.id}/documents`);
    await scriptsRunning(page);
    await page.getByLabel('Titre', { exact: true }).fill('Plan de l’exposé');
    await page.getByRole('button', { name: 'Créer' }).click();
    await page.waitForURL(/\/docs\/d/);
    const trail = page.getByRole('navigation', { name: 'Fil d’Ariane' }).getByRole('link');
    expect(await trail.allTextContents()).toEqual([
      'Accueil',
      'Exposé sur la Loire',
      'Documents et tableaux',
    ]);
    await page.goto(`${preau.url}/espaces/${group.id}`);
    expect(await page.getByRole('region', { name: 'Documents récents' }).textContent()).toContain(
      'Plan de l’exposé',
    );
    // Two passes (desktop, phone) of three pages with axe, the staff's view and a new pad.
  }, 120_000);

  it('shows the demo at once: unread chat on a member’s home, the project’s groups to its teacher', async () => {
    // The member who has not written in the group's chat yet: all three messages are unread.
    const db = preau.services.database.db;
    const authors = db
      .selectFrom('live_chat_message')
      .select('author_id')
      .where('space_id', '=', 'group_demo_loire');
    const member = await db
      .selectFrom('space_member')
      .innerJoin('person', 'person.id', 'space_member.person_id')
      .select('person.login')
      .where('space_member.space_id', '=', 'group_demo_loire')
      .where('space_member.person_id', 'not in', authors)
      .executeTakeFirstOrThrow();
    const home = await pageAs(member.login);
    const badge = home.locator('[data-space="group_demo_loire"] .badge');
    await expect.poll(() => badge.textContent()).toBe('3 message(s) non lu(s)');
    // Where the space is and the person's role, separated by spaced dots.
    expect(await home.locator('[data-space="group_demo_loire"] .meta').textContent()).toMatch(
      /^Collège .+ · (membre|propriétaire)$/,
    );
    await badge.click();
    await home.waitForURL(/\/espaces\/group_demo_loire\/discussion$/);

    const martin = await pageAs('prof.martin');
    await martin.goto(`${preau.url}/espaces/project_demo_rennes_brest`);
    const groups = martin.getByRole('region', { name: 'Groupes de travail du projet' });
    await expect
      .poll(() => groups.getByRole('link').allTextContents())
      .toEqual(['Carnet de voyage Loire – Iroise', 'Créer un groupe de travail dans ce projet']);
    await expectAccessible(martin);
  });

  it('hides the group from a student of another school: 404 on its pages and its API', async () => {
    const page = await pageAs(OUTSIDER);
    for (const path of ['', '/documents', '/direct', '/direct/ls_nope', '/membres']) {
      const res = await page.goto(`${preau.url}/espaces/${group.id}${path}`);
      expect(res?.status(), path || '/').toBe(404);
    }
    expect(await page.content()).not.toContain('Exposé sur la Loire');
    const api = await signInApi(preau.url, OUTSIDER);
    expect((await api.fetch(`/api/spaces/${group.id}`)).status).toBe(404);
    expect((await api.fetch(`/api/docs?space=${group.id}`)).status).toBe(404);
    expect((await api.fetch('/api/live/sessions', { body: { space: group.id } })).status).toBe(404);
  });

  it('lets a member open the salon with no teacher; another joins from home and each sees the other’s video', async () => {
    const opener = await pageAs(member!.login, { media: true });
    await opener.goto(`${preau.url}/espaces/${group.id}/direct`);
    await opener.getByRole('button', { name: 'Ouvrir le salon' }).click();
    await opener.waitForURL(/\/direct\/ls_/);
    await expect.poll(() => opener.locator('h1').textContent()).toBe('Salon — Exposé sur la Loire');
    await expect.poll(() => opener.getByRole('status').first().textContent()).toContain('Connecté');
    // No teacher in a salon: a member shares a screen like anyone.
    await expect
      .poll(() => opener.getByRole('button', { name: 'Partager l’écran' }).count())
      .toBe(1);

    const joiner = await pageAs(owner!.login, { media: true });
    const row = joiner.locator(`li[data-space="${group.id}"]`);
    expect(await row.textContent()).toContain('salon ouvert');
    await row.getByRole('link', { name: /salon ouvert/ }).click();
    await joiner.waitForURL(/\/direct\/ls_/);
    await expect.poll(() => joiner.getByRole('status').first().textContent()).toContain('Connecté');

    const ids = {
      [owner!.login]: await personId(owner!.login),
      [member!.login]: await personId(member!.login),
    };
    for (const page of [opener, joiner])
      await page.getByRole('button', { name: 'Activer la caméra' }).click();
    await expect
      .poll(() => framesOf(opener, ids[owner!.login]!), { message: 'the opener sees the joiner' })
      .toBeGreaterThan(0);
    await expect
      .poll(() => framesOf(joiner, ids[member!.login]!), { message: 'the joiner sees the opener' })
      .toBeGreaterThan(0);
    await expectAccessible(joiner);
  });
});
