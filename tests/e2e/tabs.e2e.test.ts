import { classSpaceId, type SessionUser } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory, sessionUserOf } from '@preau/storage';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { localStrings, padText, saveState } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

/**
 * What a person with many tabs, a reload or a closed tab expects: eight
 * tabs open do not block the ninth (one notification stream for them all,
 * passed on when its tab closes, never to another person's tab); a chat
 * message waiting for the network survives a reload and is sent once; the
 * last letters typed offline before the tab closes are in the local copy.
 */
const class3A = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const [lea, mate] = demoDirectory().accounts.filter((a) => a.className === '3e A');

/** What each tab does for the notifications (leader, follower, alone), or '' before it starts. */
const role = (page: Page) =>
  page.evaluate(() => document.documentElement.dataset.notifications ?? '');
/** The text of the page's notifications region. */
const toasts = (page: Page) =>
  page
    .getByRole('region', { name: 'Notifications' })
    .textContent()
    .then((t) => t ?? '');

describe('many tabs, a reload, a closed tab', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let owner: SessionUser;
  let mateUser: SessionUser;
  let padId: string;
  const problems: string[] = [];

  const userOf = async (login: string) => {
    const { db } = preau.services.database;
    const row = await db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return (await sessionUserOf(db, row.id))!;
  };
  /** Léa makes a group and invites `who` (the notification every tab of theirs should show). */
  const invite = async (name: string, who: SessionUser) => {
    const { spaces, invitations } = preau.services;
    const id = (await spaces.create(owner, { kind: 'group', name })).id;
    await invitations.invite(owner, id, [who.id]);
    return id;
  };
  const newPage = async (ctx: BrowserContext, path: string) => {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${preau.url}${path}`);
    await page.waitForSelector('html[data-hydrated]');
    return page;
  };

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    [owner, mateUser] = await Promise.all([userOf(lea!.login), userOf(mate!.login)]);
    const teacher = await signInApi(preau.url, 'prof.martin');
    const created = await teacher.fetch('/api/docs', {
      body: { space: classSpaceId(class3A), kind: 'pad', title: 'Plusieurs onglets' },
    });
    padId = (await created.json()).data.id;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('eight tabs share one notification stream: a pad still opens, every tab hears, a closed leader is replaced, no other person’s tab hears', async () => {
    const ctx = await browser.newContext();
    let streams = 0;
    ctx.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/me/notifications') streams += 1;
    });
    const first = await ctx.newPage();
    first.on('pageerror', (e) => problems.push(e.message));
    await signIn(first, preau.url, mate!.login);
    const tabs = [first];
    for (let i = 1; i < 8; i++) tabs.push(await newPage(ctx, '/'));
    for (const tab of tabs) await expect.poll(() => role(tab)).toMatch(/^(leader|follower)$/);
    await expect
      .poll(async () => (await Promise.all(tabs.map(role))).filter((r) => r === 'leader').length)
      .toBe(1);
    expect(streams).toBe(1);

    // A ninth tab: the pad's token request and its sync still get through.
    const pad = await ctx.newPage();
    pad.on('pageerror', (e) => problems.push(e.message));
    const token = pad.waitForResponse((r) => new URL(r.url()).pathname === '/api/tokens');
    await pad.goto(`${preau.url}/docs/${padId}`);
    expect((await token).status()).toBe(200);
    await expect.poll(() => saveState(pad), { timeout: 20_000 }).toBe('saved');
    tabs.push(pad);

    // A notification reaches every tab.
    await invite('Exposé des neuf onglets', mateUser);
    for (const tab of tabs)
      await expect.poll(() => toasts(tab)).toContain('« Exposé des neuf onglets »');

    // The leader closes: another tab takes the stream over, the others still hear.
    const leaderIndex = (await Promise.all(tabs.map(role))).indexOf('leader');
    const [leader] = tabs.splice(leaderIndex, 1);
    await leader!.close();
    await expect
      .poll(async () => (await Promise.all(tabs.map(role))).filter((r) => r === 'leader').length)
      .toBe(1);
    await expect.poll(() => streams).toBe(2);
    // The new stream is open once the server sends on it (poll until the invitation arrives).
    await invite('Exposé après la relève', mateUser);
    for (const tab of tabs)
      await expect.poll(() => toasts(tab)).toContain('« Exposé après la relève »');

    // Someone else signs in in this browser (Léa's session cookie replaces it).
    const leaApi = await signInApi(preau.url, lea!.login);
    await ctx.addCookies(
      leaApi.cookie.split('; ').map((pair) => {
        const eq = pair.indexOf('=');
        return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: preau.url };
      }),
    );
    const leaTab = await newPage(ctx, '/');
    // Her tab leads her own stream; the other person's tabs keep theirs.
    await expect.poll(() => role(leaTab)).toBe('leader');
    await invite('Pour Mathis seulement', mateUser);
    for (const tab of tabs)
      await expect.poll(() => toasts(tab)).toContain('« Pour Mathis seulement »');
    // The other person's leader closes: the next one's stream would be Léa's; it is refused.
    const next = (await Promise.all(tabs.map(role))).indexOf('leader');
    await tabs.splice(next, 1)[0]!.close();
    await expect
      .poll(async () => (await Promise.all(tabs.map(role))).filter((r) => r === 'leader').length)
      .toBe(1);
    const leaOwn = await preau.services.spaces.create(mateUser, {
      kind: 'group',
      name: 'Invitation pour Léa',
    });
    await preau.services.invitations.invite(mateUser, leaOwn.id, [owner.id]);
    await expect.poll(() => toasts(leaTab)).toContain('« Invitation pour Léa »');
    // A moment for any relay: none of the other person's tabs shows Léa's invitation.
    await new Promise((r) => setTimeout(r, 1500));
    for (const tab of tabs) expect(await toasts(tab)).not.toContain('Invitation pour Léa');
    expect(await toasts(leaTab)).not.toContain('Pour Mathis seulement');
    await ctx.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it('a chat message sent offline survives a reload and is sent once', async () => {
    const groupId = await invite('Discussion rechargée', mateUser);
    const invitation = (await preau.services.invitations.invitations(mateUser)).find(
      (i) => i.spaceId === groupId,
    )!;
    await preau.services.invitations.answer(mateUser, invitation.id, true);
    const chatUrl = `/espaces/${groupId}/discussion`;
    const connected = (page: Page) =>
      expect
        .poll(() => page.locator('p.meta[role="status"]').textContent(), { timeout: 20_000 })
        .toContain('Connecté');
    const texts = (page: Page) => page.locator('.message .text').allTextContents();
    // The network, for the page's sockets: Chromium's offline mode alone does
    // not hold for them (about 150 ms after going offline this page hears
    // `online` again, every run, and its socket comes back), so while cut off
    // every WebSocket of the context is closed, and refused when it opens.
    let networkUp = true;
    const routed = new Set<WebSocketRoute>();
    const route = (ctx: BrowserContext) =>
      ctx.routeWebSocket(/./, (ws) => {
        if (!networkUp) return void ws.close();
        routed.add(ws);
        ws.onClose(() => routed.delete(ws));
        ws.connectToServer();
      });
    // Cut off, and the page knows it.
    const cutOff = async (ctx: BrowserContext, page: Page) => {
      networkUp = false;
      for (const ws of routed) await ws.close();
      await ctx.setOffline(true);
      await expect
        .poll(() => page.locator('p.meta[role="status"]').textContent())
        .toContain('Hors ligne');
    };

    const leaCtx = await browser.newContext();
    const leaPage = await leaCtx.newPage();
    await signIn(leaPage, preau.url, lea!.login, chatUrl);
    const ctx = await browser.newContext();
    await route(ctx);
    const page = await ctx.newPage();
    /** The chat outboxes this tab keeps (sessionStorage), with their entries. */
    const keptEntries = () =>
      page.evaluate(() =>
        Object.entries(sessionStorage).filter(([k]) => k.startsWith('preau-outbox:')),
      );
    const kept = async () => (await keptEntries()).map(([key]) => key);
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, preau.url, mate!.login, chatUrl);
    await Promise.all([connected(leaPage), connected(page)]);

    await cutOff(ctx, page);
    const composer = page.getByLabel('Votre message');
    await composer.fill('Écrit avant de recharger');
    await composer.press('Enter');
    await expect
      .poll(() => page.locator('.outbox li').textContent())
      .toContain('Écrit avant de recharger');
    // The page reloads without the network (it fails), then comes back once the network does.
    await page.reload().catch(() => undefined);
    expect(await texts(leaPage)).not.toContain('Écrit avant de recharger');
    networkUp = true;
    await ctx.setOffline(false);
    await page.goto(`${preau.url}${chatUrl}`, { timeout: 90_000 });
    await connected(page);
    await expect.poll(() => texts(leaPage)).toContain('Écrit avant de recharger');
    await expect.poll(() => page.locator('.outbox li').count()).toBe(0);
    await expect
      .poll(async () => (await texts(page)).filter((x) => x === 'Écrit avant de recharger'))
      .toHaveLength(1);
    // Stored once, and nothing left waiting in the tab.
    await leaPage.reload();
    await connected(leaPage);
    // The history renders after the connection: read it once it is there.
    await expect
      .poll(async () => (await texts(leaPage)).filter((x) => x === 'Écrit avant de recharger'))
      .toHaveLength(1);
    expect(await kept()).toEqual([]);

    // A message left waiting goes at sign-out (signing out offline: the page clears it first).
    // What the page did from here, said when a kept message outlives the sign-out.
    const seen: string[] = [];
    const at = () => new Date().toISOString().slice(11, 23);
    page.on('console', (m) => seen.push(`${at()} console ${m.type()}: ${m.text()}`));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) seen.push(`${at()} at ${f.url()}`);
    });
    page.on('requestfailed', (r) =>
      seen.push(`${at()} failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`),
    );
    page.on('response', (r) => {
      if (r.request().isNavigationRequest()) seen.push(`${at()} ${r.status()} ${r.url()}`);
    });
    await cutOff(ctx, page);
    await composer.fill('Laissé en attente');
    await composer.press('Enter');
    await expect.poll(kept).toHaveLength(1);
    seen.push(`${at()} signing out`);
    await page.evaluate(() =>
      document.querySelector<HTMLFormElement>('form[action="/auth/logout"]')!.requestSubmit(),
    );
    // The sign-out itself fails without the network (the navigation errs).
    await expect.poll(() => page.url()).not.toContain('/discussion');
    // The chat page goes (its copy in memory with it); the tab's storage stays for the origin.
    await page.goto('about:blank');
    networkUp = true;
    await ctx.setOffline(false);
    await page.goto(`${preau.url}${chatUrl}`, { timeout: 90_000 });
    await connected(page);
    const onArrival = await keptEntries();
    // Whatever the tab still holds is sent (or refused) now: once nothing is
    // left waiting in it, the space's stored chat says whether the message
    // left at the sign-out went.
    const why = `${seen.join('\n')}\nkept when the page came back: ${JSON.stringify(onArrival)}`;
    await expect.poll(kept, { message: why, timeout: 20_000 }).toEqual([]);
    const stored = await preau.services.database.db
      .selectFrom('live_chat_message')
      .select('text')
      .where('space_id', '=', groupId)
      .execute();
    expect(
      stored.map((m) => m.text),
      why,
    ).toEqual(['Écrit avant de recharger']);
    expect(await texts(leaPage)).not.toContain('Laissé en attente');
    await Promise.all([ctx.close(), leaCtx.close()]);
    expect(problems).toEqual([]);
  }, 180_000);

  it('the last letters typed offline just before the tab closes are in the local copy', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, preau.url, mate!.login, `/docs/${padId}`);
    await expect.poll(() => saveState(page), { timeout: 20_000 }).toBe('saved');
    // The document is on screen before the network goes (this context holds no
    // local copy of it: cut off before its first sync, the page has nothing to show).
    await page.locator('.pad-content').waitFor();
    await ctx.setOffline(true);
    await expect.poll(() => saveState(page)).toBe('offline');
    await page.locator('.pad-content').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' Dernier mot');
    // Closed at once, as a person closes a tab: no wait for IndexedDB.
    const closed = new Promise((resolve) => page.once('close', resolve));
    await page.close({ runBeforeUnload: true });
    await closed;
    await ctx.setOffline(false);
    const back = await newPage(ctx, '/');
    expect(await localStrings(back, `preau-doc:${mateUser.id}:${padId}`)).toContain('Dernier mot');
    await back.goto(`${preau.url}/docs/${padId}`);
    await expect.poll(() => saveState(back), { timeout: 20_000 }).toBe('saved');
    expect(await padText(back)).toContain('Dernier mot');
    await ctx.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
