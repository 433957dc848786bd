import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { traceKinds } from '../support/archive';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { lastStoredSeq, padText } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const CLASS = '3e A';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const space = `class_${classId}`;
const pupils = demoDirectory()
  .accounts.filter((a) => a.className === CLASS)
  .slice(0, 3);

interface Person {
  login: string;
  name: string;
  context: BrowserContext;
  page: Page;
  id: string;
}

/** Whose audio a page receives now: the participants of its <audio> elements (each a consumed track). */
const heard = (p: Person) =>
  p.page.locator('audio[data-participant]').evaluateAll((els) =>
    els
      .filter((el) => ((el as HTMLAudioElement).srcObject as MediaStream | null)?.getTracks()[0])
      .map((el) => el.getAttribute('data-participant') ?? '')
      .sort(),
  );
/** Whose tiles a page shows. */
const tiles = (p: Person) =>
  p.page
    .locator('figure[data-source="camera"]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-participant') ?? '').sort());
/** The breakout room a page says it is in (0: the main room). */
const roomOf = async (p: Person) =>
  Number((await p.page.locator('[data-breakout-room]').getAttribute('data-breakout-room')) ?? 0);
const ids = (people: Person[]) => people.map((p) => p.id).sort();

describe('breakout rooms in a live class, in Chromium with fake media', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Person;
  let students: Person[];
  let everyone: Person[];
  let sessionUrl: string;

  async function person(login: string, name: string): Promise<Person> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
    page.on('dialog', (d) => void d.accept());
    await signIn(page, preau.url, login);
    const row = await preau.services.database.db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return { login, name, context, page, id: row.id };
  }

  /** Each student hears exactly the others of their room (and the teacher when visiting). */
  async function expectRooms(rooms: Person[][]) {
    for (const room of rooms) {
      for (const p of room) {
        const others = room.filter((o) => o !== p);
        await expect
          .poll(() => heard(p), { message: `${p.login} hears only their room`, timeout: 20_000 })
          .toEqual(ids(others));
        await expect.poll(() => tiles(p)).toEqual(ids(room));
      }
    }
  }

  /** Groups the students by the room their page says they are in. */
  async function roomsNow(): Promise<Map<number, Person[]>> {
    const rooms = new Map<number, Person[]>();
    for (const s of students) {
      const n = await roomOf(s);
      rooms.set(n, [...(rooms.get(n) ?? []), s]);
    }
    return rooms;
  }

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    teacher = await person('prof.martin', 'prof');
    students = [];
    for (const p of pupils) students.push(await person(p.login, p.name));
    everyone = [teacher, ...students];
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('everyone joins with their microphone on and hears everyone', async () => {
    await teacher.page.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.page.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.page.waitForURL(/\/direct\/ls_/);
    sessionUrl = teacher.page.url();
    for (const s of students) await s.page.goto(sessionUrl);
    for (const p of everyone) {
      await expect
        .poll(() => p.page.getByRole('status').first().textContent())
        .toContain('Connecté');
      await p.page.getByRole('button', { name: 'Activer le micro' }).click();
    }
    await expectRooms([everyone]);
  }, 240_000);

  it('splits at random: each student receives only their room’s media', async () => {
    const panel = teacher.page.locator('section.breakouts');
    // Folded until asked for; opened from the keyboard.
    await panel.getByText('Préparer des salles de groupe').focus();
    await teacher.page.keyboard.press('Enter');
    await panel.getByRole('button', { name: 'Ouvrir les salles' }).click();
    await expect.poll(() => panel.getByRole('timer').count()).toBe(1);
    for (const s of students) await expect.poll(() => roomOf(s)).toBeGreaterThan(0);
    const rooms = await roomsNow();
    expect([...rooms.keys()].sort()).toEqual([1, 2]);
    expect([...rooms.values()].map((r) => r.length).sort()).toEqual([1, 2]);
    // The teacher stays in the main room: alone there, hearing nobody.
    await expectRooms([...rooms.values(), [teacher]]);
    // What every student sees: the timer, their room, its pad, board and chat.
    const student = students[0]!.page;
    await expect
      .poll(() => student.getByRole('timer').textContent())
      .toMatch(/Temps restant : \d+:\d\d/);
    await expect
      .poll(() => student.getByRole('button', { name: 'Document de la salle' }).count())
      .toBe(1);
    await expectAccessible(teacher.page);
    await expectAccessible(student);
    // Reloaded in English, a student comes back into the same room, the panel in English.
    const cleo = students[2]!;
    const before = await roomOf(cleo);
    await cleo.context.addCookies([{ name: 'lang', value: 'en', url: preau.url }]);
    await cleo.page.reload();
    await expect
      .poll(() => cleo.page.getByRole('timer').textContent())
      .toMatch(/Time left: \d+:\d\d/);
    expect(await cleo.page.getByRole('heading', { name: 'Breakout rooms' }).count()).toBe(1);
    expect(await roomOf(cleo)).toBe(before);
    await cleo.page.getByRole('button', { name: 'Turn microphone on' }).click();
    await expectAccessible(cleo.page);
    await cleo.context.addCookies([{ name: 'lang', value: 'fr', url: preau.url }]);
    await cleo.page.reload();
    await expect.poll(() => cleo.page.getByRole('timer').count()).toBe(1);
    await cleo.page.getByRole('button', { name: 'Activer le micro' }).click();
    await expectRooms([...rooms.values(), [teacher]]);
    await teacher.page
      .locator('section.breakouts')
      .getByRole('button', { name: 'Rappeler tout le monde' })
      .click();
    await expectRooms([everyone]);
  }, 240_000);

  it('splits by hand, lets the teacher visit and message, and a student write in their room’s pad', async () => {
    const [ana, ben, cleo] = students as [Person, Person, Person];
    const panel = teacher.page.locator('section.breakouts');
    await panel.getByLabel('Nombre de salles').fill('2');
    await panel.getByLabel('À la main').check();
    // Keyboard only: a select per student.
    await panel.locator(`select[data-student="${ana.id}"]`).focus();
    await teacher.page.keyboard.press('ArrowDown'); // Salle 1
    await panel.locator(`select[data-student="${ben.id}"]`).selectOption('2');
    await panel.locator(`select[data-student="${cleo.id}"]`).selectOption('2');
    await panel.getByRole('button', { name: 'Ouvrir les salles' }).click();
    await expectRooms([[ana], [ben, cleo], [teacher]]);

    await panel.getByRole('button', { name: 'Visiter la Salle 1' }).click();
    await expectRooms([
      [ana, teacher],
      [ben, cleo],
    ]);
    await panel.getByLabel('Message à toutes les salles').fill('Plus que cinq minutes');
    await panel.getByRole('button', { name: 'Envoyer à toutes les salles' }).click();
    for (const s of students) {
      await expect
        .poll(() => s.page.locator('section.breakouts').textContent())
        .toContain('Plus que cinq minutes');
    }

    // Ben writes in room 2's pad; Cleo reads it, Ana's room chat stays empty of room 2.
    await ben.page.getByRole('button', { name: 'Document de la salle' }).click();
    await ben.page.locator('.pad-content').click();
    await ben.page.keyboard.type('Notre réponse : 42');
    await expect.poll(() => padText(ben.page)).toContain('Notre réponse : 42');
    await cleo.page.getByRole('button', { name: 'Document de la salle' }).click();
    await expect.poll(() => padText(cleo.page)).toContain('Notre réponse : 42');
    await ben.page.getByLabel('Message à la salle').fill('On a fini');
    await ben.page.getByLabel('Message à la salle').press('Enter');
    await expect.poll(() => cleo.page.locator('.room-chat').textContent()).toContain('On a fini');
    expect(await ana.page.locator('.room-chat').textContent()).not.toContain('On a fini');

    // On a phone, the panel fits and passes axe.
    await ana.page.setViewportSize({ width: 390, height: 844 });
    expect(
      await ana.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await expectAccessible(ana.page);
  }, 240_000);

  it('calls everyone back with their media, and the rooms’ pads stay in the class’s documents', async () => {
    const panel = teacher.page.locator('section.breakouts');
    await panel.getByRole('button', { name: 'Rappeler tout le monde' }).click();
    for (const s of students) {
      await expect
        .poll(() => s.page.locator('section.breakouts').textContent())
        .toContain('Tout le monde est revenu en salle principale.');
    }
    // Microphones stayed on: everyone hears everyone again without touching anything.
    await expectRooms([everyone]);
    // One click reuses the split.
    await expect
      .poll(() =>
        panel
          .getByRole('button', { name: /Reprendre la dernière répartition \(2 salles\)/ })
          .count(),
      )
      .toBe(1);

    // Traced: in the outbox or already moved by the archiver to the archive's index.
    const kinds = new Set(await traceKinds(preau.services.database.db, space));
    for (const k of [
      'breakout.opened',
      'breakout.assigned',
      'breakout.visit',
      'breakout.message',
      'breakout.closed',
    ]) {
      expect([...kinds]).toContain(k);
    }

    const docs = teacher.page;
    await docs.goto(`${preau.url}/classes/${classId}/docs`);
    const pad = docs.getByRole('link', { name: /^Salle 2 — Bloc-notes — / }).first();
    await expect.poll(() => pad.count()).toBeGreaterThan(0);
    expect(await docs.getByRole('link', { name: /^Salle 1 — Tableau — / }).count()).toBe(2);
    await pad.click();
    await docs.waitForURL(/\/docs\/d[0-9a-f]+$/);
    const docId = new URL(docs.url()).pathname.split('/').at(-1)!;
    expect(await lastStoredSeq(preau, docId)).toBeGreaterThan(0);
    await expect.poll(() => padText(docs)).toContain('Notre réponse : 42');
  }, 240_000);
});
