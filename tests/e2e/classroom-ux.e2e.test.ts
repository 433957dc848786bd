import {
  classIdOf,
  classRoster,
  DEMO_SCHOOLS,
  demoDirectory,
  personIdByLogin,
} from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { loginInitials } from '../../web/src/lib/classroom/names';
import { expectAccessible } from '../support/axe';
import { launchChromium, scriptsRunning } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const classId = classIdOf(DEMO_SCHOOLS.college.uai, '4e B');
// Three demo students of 4e B (the demo provider signs in demo accounts only),
// renamed by a directory import: two become « Emma Durand », one gets a family
// name that is a single very long word.
const [EMMA1, EMMA2, LONGNAME] = demoDirectory()
  .accounts.filter((a) => a.className === '4e B')
  .slice(1, 4)
  .map((a) => a.login) as [string, string, string];
const LONG = 'Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft';
const DIRECTORY = [
  `person;${EMMA1};Emma;Durand`,
  `person;${EMMA2};Emma;Durand`,
  `person;${LONGNAME};Anne-Sophie;${LONG}`,
].join('\n');
const TAG1 = `Emma Durand (${loginInitials(EMMA1)})`;
const TAG2 = `Emma Durand (${loginInitials(EMMA2)})`;

/** Text that would show as an empty box on a Chromium without an emoji font. */
const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}|[\u{1F1E6}-\u{1F1FF}]/u;
/** French digit groups use a narrow no-break space: compare with plain spaces. */
const plain = (text: string | null) => (text ?? '').replace(/[\s\u202f\u00a0]+/g, ' ').trim();

/** Whether two boxes of the page overlap (touching edges do not count). */
type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

/** Every tile's name box against its state labels' boxes: the pairs that overlap. */
async function overlappingLabels(page: Page) {
  const tiles = await page.evaluate(() =>
    [...document.querySelectorAll('figure.tile')].map((tile) => {
      const box = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      };
      return {
        who: tile.getAttribute('data-participant'),
        name: box(tile.querySelector('.name')!),
        states: [...tile.querySelectorAll('.state')].map((s) => ({
          key: s.getAttribute('data-state'),
          box: box(s),
        })),
      };
    }),
  );
  expect(tiles.length).toBeGreaterThan(0);
  expect(tiles.some((x) => x.states.some((s) => s.key === 'camera-off'))).toBe(true);
  return tiles.flatMap((x) =>
    x.states.filter((s) => overlap(x.name, s.box)).map((s) => `${x.who}: ${s.key}`),
  );
}

/** Name elements whose text is cut (wider than their box). */
function clippedNames(page: Page, selector: string) {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll<HTMLElement>(sel)]
        .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth)
        .map((el) => el.textContent),
    selector,
  );
}

/** What a live class page shows of its state (for a failure's message). */
function liveState(page: Page) {
  return page
    .evaluate(() =>
      JSON.stringify({
        url: location.pathname,
        status: document.querySelector('.room-head .state')?.textContent?.trim(),
        notices: [...document.querySelectorAll('.live-room .notice')].map((n) => n.textContent),
        dialogs: [...document.querySelectorAll('dialog')].map((d) => [
          d.open,
          d.getAttribute('aria-labelledby'),
        ]),
        narrow: matchMedia('(max-width: 48rem)').matches,
        width: [window.innerWidth, document.documentElement.clientWidth],
        focus: document.activeElement?.outerHTML.slice(0, 120),
      }),
    )
    .catch((err: Error) => `(not read: ${err.message})`);
}

/** Where each tile sits, by participant. */
function tileBoxes(page: Page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('figure.tile')].map((tile) => {
        const r = tile.getBoundingClientRect();
        return [
          tile.getAttribute('data-participant'),
          [r.x, r.y, r.width, r.height].map(Math.round),
        ];
      }),
    ),
  );
}

describe('the live class looks right, on a desk and on a phone; attendance a teacher can use', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let emma1: Page;
  let emma2: Page;
  let phone: Page;
  let sessionId: string;
  const ids: Record<string, string> = {};

  const open = async (login: string, phoneSized = false) => {
    const context = await browser.newContext({
      permissions: ['camera', 'microphone'],
      ...(phoneSized
        ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
        : { viewport: { width: 1280, height: 800 } }),
    });
    const page = await context.newPage();
    await signIn(page, preau.url, login);
    return page;
  };
  const joinRoom = async (page: Page) => {
    await page.goto(`${preau.url}/classes/${classId}/live/${sessionId}`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connecté');
  };

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    const admin = await signInApi(preau.url, 'admin');
    const imported = await admin.fetch('/api/admin/directory/import', { body: { csv: DIRECTORY } });
    expect(imported.status).toBe(200);
    for (const login of ['prof.martin', EMMA1, EMMA2, LONGNAME]) {
      ids[login] = (await personIdByLogin(preau.services.database.db, login))!;
    }
    [teacher, emma1, emma2, phone] = await Promise.all([
      open('prof.martin'),
      open(EMMA1),
      open(EMMA2),
      open(LONGNAME, true),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('a teacher starts a session under breadcrumbs; everyone joins', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    const crumbs = teacher.getByRole('navigation', { name: 'Fil d’Ariane' });
    expect(await crumbs.locator('li').allTextContents()).toEqual([
      'Accueil',
      '4e B',
      'Classe en direct',
    ]);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    sessionId = new URL(teacher.url()).pathname.split('/').at(-1)!;
    await expect
      .poll(() => teacher.getByRole('status').first().textContent())
      .toContain('Connecté');
    expect(
      await teacher
        .getByRole('navigation', { name: 'Fil d’Ariane' })
        .getByRole('link')
        .allTextContents(),
    ).toEqual(['4e B', 'Classe en direct']);
    await Promise.all([joinRoom(emma1), joinRoom(emma2), joinRoom(phone)]);
    await expect.poll(() => teacher.locator('figure[data-source="camera"]').count()).toBe(4);
  });

  it('tells the two Emma Durand apart in the roster, the tiles and the chat', async () => {
    const people = teacher.locator('ul.people .name');
    await expect
      .poll(() => people.allTextContents().then((t) => t.map(plain)))
      .toEqual(expect.arrayContaining([TAG1, TAG2]));
    const tile = (login: string) =>
      teacher.locator(`figure[data-participant="${ids[login]}"] .name`).textContent();
    expect(await tile(EMMA1)).toBe(TAG1);
    expect(await tile(EMMA2)).toBe(TAG2);
    for (const [page, text] of [
      [emma1, 'Je suis la première Emma'],
      [emma2, 'Et moi la seconde'],
    ] as const) {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Envoyer' }).click();
    }
    const authors = teacher.getByRole('log').locator('.who');
    await expect.poll(() => authors.allTextContents()).toEqual([TAG1, TAG2]);
  });

  it('never lays a state label over a name, never clips a name, draws no emoji', async () => {
    await emma1.getByRole('button', { name: 'Lever la main' }).click();
    await expect.poll(() => teacher.locator('ul.people [data-icon="hand"]').count()).toBe(1);
    for (const page of [teacher, phone]) {
      expect(await overlappingLabels(page)).toEqual([]);
      expect(await clippedNames(page, 'figure.tile .name, ul.people .name')).toEqual([]);
    }
    // The long name wraps inside its tile rather than running out of it.
    const long = teacher.locator(`figure[data-participant="${ids[LONGNAME]}"]`);
    const [tileBox, nameBox] = [
      await long.boundingBox(),
      await long.locator('.name').boundingBox(),
    ];
    expect(nameBox!.x + nameBox!.width).toBeLessThanOrEqual(tileBox!.x + tileBox!.width + 0.5);
    expect(await long.locator('.name').textContent()).toContain(LONG);
    for (const page of [teacher, emma1, phone]) {
      const text = await page.evaluate(() => document.body.innerText);
      expect(text.match(EMOJI)).toBeNull();
    }
    // The icons are Préau's own drawings.
    expect(await teacher.locator('.bar svg[data-icon]').count()).toBeGreaterThan(2);
    await emma1.getByRole('button', { name: 'Baisser la main' }).click();
  });

  it('keeps the grid still while the speaker changes, and remembers grid or speaker view', async () => {
    const layout = (name: string) => teacher.getByRole('button', { name, exact: true });
    expect(await layout('Orateur').getAttribute('aria-pressed')).toBe('true');
    await layout('Grille').click();
    expect(await layout('Grille').getAttribute('aria-pressed')).toBe('true');
    expect(await teacher.locator('figure.tile.featured').count()).toBe(0);
    const before = await tileBoxes(teacher);
    const speaking = () =>
      teacher
        .locator('figure.tile.speaking')
        .getAttribute('data-participant', { timeout: 500 })
        .catch(() => null);
    // One Emma speaks, then the other: the speaker moves, the tiles do not.
    await emma1.getByRole('button', { name: 'Activer le micro' }).click();
    await expect.poll(speaking, { timeout: 30_000 }).toBe(ids[EMMA1]);
    expect(await tileBoxes(teacher)).toEqual(before);
    await emma1.getByRole('button', { name: 'Couper le micro' }).click();
    await emma2.getByRole('button', { name: 'Activer le micro' }).click();
    await expect.poll(speaking, { timeout: 30_000 }).toBe(ids[EMMA2]);
    expect(await tileBoxes(teacher)).toEqual(before);
    expect(await teacher.locator('figure.tile.featured').count()).toBe(0);

    // The choice survives a reload.
    await teacher.reload();
    await expect
      .poll(() => teacher.getByRole('status').first().textContent())
      .toContain('Connecté');
    await expect.poll(() => layout('Grille').getAttribute('aria-pressed')).toBe('true');
    expect(await teacher.locator('figure.tile.featured').count()).toBe(0);
    // Speaker view puts whoever speaks in the big tile.
    await layout('Orateur').click();
    await expect
      .poll(() => teacher.locator('figure.tile.featured').getAttribute('data-participant'))
      .toBe(ids[EMMA2]);
    await emma2.getByRole('button', { name: 'Couper le micro' }).click();
  });

  it('on a phone, the video takes the screen; participants and chat open as panels', async () => {
    const stage = await phone.locator('section.stage').boundingBox();
    const bar = await phone.getByRole('toolbar').boundingBox();
    // Below the site's header and the title, the videos fill the first screen
    // down to the control bar, held at the bottom of the screen.
    expect(stage!.y).toBeLessThan(844 * 0.45);
    expect(stage!.y + stage!.height).toBeGreaterThanOrEqual(bar!.y - 1);
    expect(bar!.y + bar!.height).toBeLessThanOrEqual(844 + 0.5);
    expect(Math.min(stage!.y + stage!.height, bar!.y) - stage!.y).toBeGreaterThan(844 * 0.5);
    // Measured against the phone's 390 px: wider content would make it zoom out.
    const sideways = () =>
      phone.evaluate(() => Math.max(window.innerWidth, document.documentElement.scrollWidth) - 390);
    expect(await sideways()).toBeLessThanOrEqual(0);
    // The chat is not on the page until asked for.
    expect(await phone.getByRole('log').count()).toBe(0);
    const chatButton = phone.getByRole('button', { name: 'Discussion' });
    await chatButton.click();
    const dialog = phone.getByRole('dialog', { name: 'Discussion' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    expect(await dialog.getByRole('log').textContent()).toContain('Et moi la seconde');
    expect(await sideways()).toBeLessThanOrEqual(0);
    await expectAccessible(phone);
    await phone.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await chatButton.evaluate((b) => b === document.activeElement)).toBe(true);
    // The participants panel, from the keyboard; its names are whole.
    const peopleButton = phone.getByRole('button', { name: /^Participants/ });
    await peopleButton.focus();
    await phone.keyboard.press('Enter');
    const people = phone.getByRole('dialog', { name: /Participants/ });
    await expect.poll(() => people.locator('ul.people li').count()).toBe(4);
    expect(await clippedNames(phone, 'dialog ul.people .name')).toEqual([]);
    expect(await people.textContent()).toContain(LONG);
    // Once seen closing by itself under load (the button gone before the click): say what the page showed.
    await people
      .getByRole('button', { name: 'Fermer le panneau' })
      .click({ timeout: 15_000 })
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\nthe phone showed: ${await liveState(phone)}`);
      });
    await expect.poll(() => people.count()).toBe(0);
    expect(await peopleButton.evaluate((b) => b === document.activeElement)).toBe(true);
  });

  it('counts chat characters as one types, and refuses past 2 000 with a clear message', async () => {
    const input = emma1.getByLabel('Message', { exact: true });
    await input.fill('a'.repeat(1234));
    expect(plain(await emma1.locator('#chat-count .figures').textContent())).toBe('1 234 / 2 000');
    await input.fill('b'.repeat(2050));
    expect(plain(await emma1.locator('#chat-count').textContent())).toContain('2 050 / 2 000');
    expect(plain(await emma1.locator('#chat-count').textContent())).toContain(
      '50 caractère(s) de trop',
    );
    await emma1.getByRole('button', { name: 'Envoyer' }).click();
    await expect
      .poll(() =>
        emma1
          .getByRole('alert')
          .allTextContents()
          .then((t) => t.join(' ')),
      )
      .toContain('Message trop long');
    // Nothing was cut or sent: the text is all there, and the chat has no new message.
    expect((await input.inputValue()).length).toBe(2050);
    expect(await teacher.getByRole('log').locator('li').count()).toBe(2);
    // A long word is sent, and wraps in the chat instead of widening it.
    await input.fill(`Regardez ${'x'.repeat(300)}`);
    await emma1.getByRole('button', { name: 'Envoyer' }).click();
    await expect.poll(() => teacher.getByRole('log').locator('li').count()).toBe(3);
    const wide = await teacher
      .getByRole('log')
      .evaluate((log) => log.scrollWidth - log.clientWidth);
    expect(wide).toBeLessThanOrEqual(0);
  });

  it('a teacher starts a new session while this one is open: offered to end it first', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await scriptsRunning(teacher);
    expect(await teacher.locator('#replace-why').textContent()).toContain('est toujours ouverte');
    await teacher.getByLabel('Titre (facultatif)').fill('Deuxième heure');
    await teacher
      .getByRole('button', { name: /^Terminer « .* » et démarrer une nouvelle séance$/ })
      .click();
    await teacher.waitForURL(
      (u) => /\/direct\/ls_/.test(u.pathname) && !u.pathname.endsWith(sessionId),
    );
    expect(await teacher.locator('h1').textContent()).toBe('Deuxième heure');
    // Those still in the old one are told it ended.
    for (const page of [emma1, emma2, phone]) {
      await expect.poll(() => page.getByText('La séance est terminée.').count()).toBe(1);
    }
  });

  it('lists every member in the attendance, present or absent, with times; and as CSV', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live/${sessionId}/presences`);
    expect(
      await teacher
        .getByRole('navigation', { name: 'Fil d’Ariane' })
        .getByRole('link')
        .allTextContents(),
    ).toEqual(['Accueil', '4e B', 'Classe en direct']);
    const members = await classRoster(preau.services.database.db, classId);
    const rows = teacher.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(members.length);
    expect(await teacher.locator('tbody tr:not(.absent)').count()).toBe(4);
    expect(await teacher.locator('tbody tr.absent').count()).toBe(members.length - 4);
    const row = (login: string) => teacher.locator(`tbody tr[data-person="${ids[login]}"]`);
    expect(plain(await row(EMMA1).locator('th').textContent())).toBe(TAG1);
    expect(plain(await row(EMMA2).locator('th').textContent())).toBe(TAG2);
    const teacherRow = plain(await row('prof.martin').textContent());
    expect(teacherRow).toContain('présent·e');
    expect(teacherRow).toMatch(/\d+ min/);
    expect(plain(await row(EMMA1).textContent())).toContain('fin de la séance');
    // Times are Paris times, whatever the machine's zone.
    const arrival = row('prof.martin').locator('time').first();
    const iso = (await arrival.getAttribute('datetime'))!;
    expect(await arrival.textContent()).toBe(
      new Date(iso).toLocaleTimeString('fr-FR', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        minute: '2-digit',
      }),
    );
    const absent = members.find((m) => !Object.values(ids).includes(m.personId))!;
    expect(
      plain(await teacher.locator(`tbody tr[data-person="${absent.personId}"]`).textContent()),
    ).toContain('absent·e');
    await expectAccessible(teacher);

    const download = teacher.waitForEvent('download');
    await teacher.getByRole('link', { name: 'Télécharger les présences (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^presences-.*\.csv$/);
    const response = await teacher.request.get(
      `${preau.url}/classes/${classId}/live/${sessionId}/presences.csv`,
    );
    expect(response.headers()['content-type']).toContain('text/csv');
    const bytes = await response.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(members.length + 1);
    expect(lines[0]).toBe(
      'Participant;Rôle;Présence;Temps de présence;Minutes de présence;Première arrivée;Dernier départ;Arrivées et départs',
    );
    expect(lines.filter((l) => l.startsWith(`${TAG1};élève;oui;`))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith(`${TAG2};élève;oui;`))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith(`${absent.name};`))).toMatch(/;non;0 min;0;;;$/);

    // A student may not download it.
    const refused = await emma1.request.get(
      `${preau.url}/classes/${classId}/live/${sessionId}/presences.csv`,
    );
    expect(refused.status()).toBe(403);
  });
});
