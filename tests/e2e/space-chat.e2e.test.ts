import { readFile } from 'node:fs/promises';
import type { Notification, SessionUser } from '@preau/protocol';
import { demoDirectory, sessionUserOf } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
/** A one-page PDF, small but well formed enough for its magic bytes. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const [lea, mate] = demoDirectory().accounts.filter((a) => a.className === '3e A');

// Two members of a student work group chat (live, persisted, edited, deleted,
// mentioned, counted unread), share files (upload, preview, download,
// delete), and a reported message reaches the collège's CPE.
describe('a work group’s chat and files in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let leaPage: Page;
  let matePage: Page;
  let groupId: string;
  let mateUser: SessionUser;
  const notes: Notification[] = [];
  const problems: string[] = [];
  const open = async (login: string) => {
    const context = await browser.newContext({ acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, preau.url, login);
    return page;
  };
  const userOf = async (login: string) => {
    const { db } = preau.services.database;
    const row = await db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return (await sessionUserOf(db, row.id))!;
  };
  const texts = (page: Page) => page.locator('.message .text').allTextContents();
  /** Waits until the page's chat socket is connected (sending before that fails, loudly). */
  const connected = (page: Page) =>
    expect
      .poll(() => page.locator('p.meta[role="status"]').textContent(), { timeout: 20_000 })
      .toContain('Connecté');

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    // The group and its membership through the services (no creation page on this branch).
    const owner = await userOf(lea!.login);
    mateUser = await userOf(mate!.login);
    const { spaces, invitations, notifier } = preau.services;
    groupId = (await spaces.create(owner, { kind: 'group', name: 'Exposé sur la Loire' })).id;
    const [invitation] = await invitations.invite(owner, groupId, [mateUser.id]);
    await invitations.answer(mateUser, invitation!.id, true);
    await notifier.listen(mateUser.id, (n) => notes.push(n));
    [leaPage, matePage] = await Promise.all([open(lea!.login), open(mate!.login)]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await preau?.close();
  });

  it('sends, counts unread, shows live to the other, mentions, edits and deletes; a reload keeps it', async () => {
    const chatUrl = `${preau.url}/espaces/${groupId}/discussion`;
    await leaPage.goto(chatUrl);
    await connected(leaPage);
    const composer = leaPage.getByLabel('Votre message');
    await composer.fill('Premier message du groupe');
    await composer.press('Enter');
    await expect.poll(() => texts(leaPage)).toEqual(['Premier message du groupe']);
    await expect.poll(() => composer.inputValue()).toBe('');

    // The other member has one unread message, shown on the heading.
    await matePage.goto(chatUrl);
    await connected(matePage);
    expect(await matePage.locator('h1').textContent()).toContain('1 message(s) non lu(s)');
    await expect.poll(() => texts(matePage)).toEqual(['Premier message du groupe']);
    await expectAccessible(matePage);

    // A mention through the autocomplete, seen by the other without reloading.
    const mateName = mateUser.name;
    await composer.pressSequentially(`Bonjour @${mateName.slice(0, 3)}`);
    await expect.poll(() => leaPage.getByRole('option').allTextContents()).toContain(mateName);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe(`Bonjour @${mateName} `);
    await composer.pressSequentially('tu relis ?');
    await composer.press('Enter');
    const mentionText = `Bonjour @${mateName} tu relis ?`;
    await expect.poll(() => texts(matePage)).toContain(mentionText);
    expect(await matePage.locator('.message.mentioned .text').textContent()).toBe(mentionText);
    await expect
      .poll(() => notes.filter((n) => n.type === 'mention').map((n) => n.spaceId))
      .toEqual([groupId]);

    // Lea corrects her first message, then deletes it; the other sees both at once.
    const first = leaPage.locator('.message', { hasText: 'Premier message du groupe' });
    await first.getByRole('button', { name: 'Modifier' }).click();
    await leaPage.getByLabel('Modifier votre message').fill('Premier message, corrigé');
    await leaPage.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => texts(matePage)).toContain('Premier message, corrigé');
    expect(
      await matePage.locator('.message', { hasText: 'Premier message, corrigé' }).textContent(),
    ).toContain('(modifié)');
    const corrected = leaPage.locator('.message', { hasText: 'Premier message, corrigé' });
    await corrected.getByRole('button', { name: 'Supprimer' }).click();
    await corrected.getByRole('button', { name: 'Oui, supprimer' }).click();
    await expect.poll(() => texts(matePage)).toEqual([mentionText]);

    // A reload keeps everything that was kept, and not what was deleted.
    await leaPage.reload();
    await connected(leaPage);
    await expect.poll(() => texts(leaPage)).toEqual([mentionText]);
    expect(problems).toEqual([]);
  });

  it('works at phone width', async () => {
    await matePage.setViewportSize({ width: 390, height: 844 });
    await matePage.reload();
    await connected(matePage);
    await expect.poll(() => texts(matePage)).toHaveLength(1);
    expect(
      await matePage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await expectAccessible(matePage);
    await matePage.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps a message written offline as “envoi…”, sends it once back, and stores it once', async () => {
    const composer = matePage.getByLabel('Votre message');
    await matePage.context().setOffline(true);
    await composer.fill('Écrit hors ligne');
    await composer.press('Enter');
    // Never lost: shown with its text as being sent, the composer free for the next one.
    const waiting = matePage.locator('.outbox li', { hasText: 'Écrit hors ligne' });
    await expect.poll(() => waiting.textContent()).toContain('envoi…');
    expect(await composer.inputValue()).toBe('');
    await matePage.context().setOffline(false);
    await connected(matePage);
    await expect.poll(() => texts(leaPage)).toContain('Écrit hors ligne');
    await expect.poll(() => matePage.locator('.outbox li').count()).toBe(0);
    await expect
      .poll(async () => (await texts(matePage)).filter((x) => x === 'Écrit hors ligne'))
      .toHaveLength(1);
    // Stored once: a reload reads it once.
    await leaPage.reload();
    await connected(leaPage);
    await expect
      .poll(async () => (await texts(leaPage)).filter((x) => x === 'Écrit hors ligne'))
      .toHaveLength(1);
  });

  it('a reported message reaches the CPE’s inbox with its text, who marks it handled', async () => {
    const message = matePage.locator('.message', { hasText: 'tu relis ?' });
    await message.getByRole('button', { name: /^Signaler le message de/ }).click();
    await matePage.getByLabel('Pourquoi signalez-vous ce contenu ?').fill('Test de signalement');
    await matePage.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await expect
      .poll(() => matePage.getByRole('status').filter({ hasText: 'Signalement envoyé' }).count())
      .toBe(1);

    const cpe = await open('cpe.girard');
    await cpe.goto(`${preau.url}/etablissement/signalements`);
    const report = cpe.locator('.report').first();
    expect(await report.textContent()).toContain('tu relis ?');
    expect(await report.textContent()).toContain('Test de signalement');
    expect(await report.textContent()).toContain('Exposé sur la Loire');
    await expectAccessible(cpe);
    await report.getByRole('button', { name: 'Marquer comme traité' }).click();
    await expect.poll(() => report.textContent()).toContain('Traité le');
    await cpe.reload();
    expect(await cpe.locator('.report').first().textContent()).toContain('Traité le');
  });

  it('uploads, previews, downloads and deletes files', async () => {
    await leaPage.goto(`${preau.url}/espaces/${groupId}/fichiers`);
    await expectAccessible(leaPage);
    const input = leaPage.getByLabel('Ajouter un fichier');
    const send = leaPage.getByRole('button', { name: 'Envoyer le fichier' });
    await input.setInputFiles({ name: 'carte.png', mimeType: 'image/png', buffer: PNG });
    await send.click();
    await expect.poll(() => leaPage.getByText('« carte.png » est ajouté.').count()).toBe(1);
    await input.setInputFiles({
      name: 'compte-rendu.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await send.click();
    await expect.poll(() => leaPage.getByText('« compte-rendu.pdf » est ajouté.').count()).toBe(1);

    // The other member sees both after a reload, with the image's thumbnail loaded.
    await matePage.goto(`${preau.url}/espaces/${groupId}/fichiers`);
    const rows = matePage.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const thumb = matePage.locator('img.thumb');
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(2);
    // Image preview; PDF preview in a same-origin frame served sandboxed, inline.
    const pngRow = matePage.locator('tr', { hasText: 'carte.png' });
    await pngRow.getByRole('button', { name: 'Aperçu', exact: true }).click();
    await expect
      .poll(() =>
        matePage
          .getByRole('img', { name: 'Aperçu de « carte.png »' })
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBe(2);
    const pdfRow = matePage.locator('tr', { hasText: 'compte-rendu.pdf' });
    await pdfRow.getByRole('button', { name: 'Aperçu', exact: true }).click();
    const frame = matePage.locator('iframe.pdf');
    const src = await frame.getAttribute('src');
    expect(src).toMatch(/\?inline=1$/);
    const inline = await matePage.request.get(`${preau.url}${src}`);
    expect(inline.headers()['content-type']).toBe('application/pdf');
    expect(inline.headers()['content-disposition']).toMatch(/^inline/);
    expect(inline.headers()['content-security-policy']).toContain('sandbox');
    expect(inline.headers()['x-content-type-options']).toBe('nosniff');
    await matePage.getByRole('button', { name: 'Fermer l’aperçu' }).first().click();

    // Download: an attachment with the very bytes.
    const [download] = await Promise.all([
      matePage.waitForEvent('download'),
      matePage.getByRole('link', { name: 'Télécharger « carte.png »' }).click(),
    ]);
    expect((await readFile((await download.path())!)).equals(PNG)).toBe(true);

    // The uploader deletes one, after confirming; a reload shows it gone.
    await leaPage.getByRole('button', { name: 'Supprimer « carte.png »' }).click();
    await leaPage.getByRole('button', { name: 'Oui, supprimer' }).click();
    await expect.poll(() => leaPage.getByText('« carte.png » est supprimé.').count()).toBe(1);
    await matePage.reload();
    await expect.poll(() => matePage.locator('tbody tr').allTextContents()).toHaveLength(1);
    expect(await matePage.locator('tbody').textContent()).toContain('compte-rendu.pdf');
    expect(problems).toEqual([]);
  });

  it('keeps the group’s chat, files and reports from outsiders, and caps uploads', async () => {
    const outsider = await signInApi(preau.url, 'eleve.ines.moreau');
    const status = async (path: string, init?: { method?: string; body?: unknown }) =>
      (await outsider.fetch(path, init)).status;
    expect(await status(`/api/spaces/${groupId}/files`)).toBe(404);
    expect(await status(`/api/spaces/${groupId}/chat/unread`)).toBe(200);
    expect(await (await outsider.fetch(`/api/spaces/${groupId}/chat/unread`)).json()).toEqual({
      ok: true,
      data: {},
    });
    expect(
      await status(`/api/spaces/${groupId}/reports`, {
        body: { targetKind: 'message', targetId: 'm_x', reason: 'x' },
      }),
    ).toBe(404);
    expect(await status(`/api/schools/0350042K/reports`)).toBe(403);
    const member = await signInApi(preau.url, mate!.login);
    const big = await fetch(`${preau.url}/api/spaces/${groupId}/files?name=gros.bin`, {
      method: 'POST',
      headers: { ...member.headers(), 'content-type': 'application/octet-stream' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });
    expect(big.status).toBe(413);
    const unread = await (await member.fetch(`/api/spaces/${groupId}/chat/unread`)).json();
    expect(unread).toMatchObject({ ok: true, data: { [groupId]: expect.any(Number) } });
  });
});
