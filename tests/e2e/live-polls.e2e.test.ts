import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const classId = classIdOf(DEMO_SCHOOLS.college.uai, '4e B');
const STUDENTS = demoDirectory()
  .accounts.filter((a) => a.className === '4e B')
  .slice(1, 4);
const [LEA, NOAH, LATE] = STUDENTS.map((a) => a.login) as [string, string, string];
const LEA_NAME = STUDENTS[0]!.name;

// A teacher runs a poll that two students answer (one by keyboard, one on a
// phone), shows the results to the class as a chart with its table, mutes a
// student's chat, and keeps a late student in the waiting room until admitting them.
describe('polls, the waiting room and a muted chat in the live class', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let lea: Page;
  let phone: Page;
  let sessionId: string;

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
  const connected = (page: Page) =>
    expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connecté');
  const joinRoom = async (page: Page) => {
    await page.goto(`${preau.url}/classes/${classId}/live/${sessionId}`);
    await connected(page);
  };

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    [teacher, lea, phone] = await Promise.all([open('prof.martin'), open(LEA), open(NOAH, true)]);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('a teacher asks a question by keyboard; students answer; the teacher follows live results', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    sessionId = new URL(teacher.url()).pathname.split('/').at(-1)!;
    await connected(teacher);
    await Promise.all([joinRoom(lea), joinRoom(phone)]);

    // The form, by keyboard only.
    await teacher.getByLabel('Type de question').focus();
    await teacher.getByLabel('Type de question').selectOption('single');
    await teacher.keyboard.press('Tab');
    await teacher.keyboard.type('Quelle est la capitale de la Bretagne ?');
    await teacher.keyboard.press('Tab');
    await teacher.keyboard.type('Brest\nRennes\nNantes');
    await teacher.getByRole('button', { name: 'Lancer le sondage' }).focus();
    await teacher.keyboard.press('Enter');
    const question = 'Quelle est la capitale de la Bretagne ?';
    await expect.poll(() => teacher.getByRole('heading', { name: question }).count()).toBe(1);
    await expectAccessible(teacher);

    // Léa answers by keyboard: the second choice, then Enter on the button.
    const leaPoll = lea.getByRole('group', { name: 'Votre réponse' });
    await expect.poll(() => leaPoll.count()).toBe(1);
    await lea.getByRole('radio', { name: 'Brest' }).focus();
    await lea.keyboard.press('ArrowDown');
    expect(await lea.getByRole('radio', { name: 'Rennes' }).isChecked()).toBe(true);
    await lea.getByRole('button', { name: 'Répondre' }).focus();
    await lea.keyboard.press('Enter');
    await expect.poll(() => lea.getByText('Réponse envoyée, merci.').count()).toBe(1);

    // On a phone, by touch.
    await phone.getByRole('radio', { name: 'Rennes' }).check();
    await expectAccessible(phone);
    // Nothing runs off the side of a phone's screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await phone.getByRole('button', { name: 'Répondre' }).click();
    await expect.poll(() => phone.getByText('Réponse envoyée, merci.').count()).toBe(1);

    // The teacher's live results, before anything is shown to the class.
    const chart = teacher.locator('figure.poll-chart');
    await expect.poll(() => chart.locator('figcaption').textContent()).toContain('2 réponse(s)');
    expect(await chart.getByRole('row', { name: /Rennes/ }).textContent()).toContain('2');
    expect(await lea.locator('figure.poll-chart').count()).toBe(0);
  });

  it('stops the poll and shows the results to the class as a chart with its table; exports them as CSV', async () => {
    await teacher.getByRole('button', { name: 'Arrêter le sondage' }).click();
    await teacher.getByRole('button', { name: 'Montrer les résultats à la classe' }).click();
    const chart = phone.locator('figure.poll-chart');
    await expect.poll(() => chart.count()).toBe(1);
    // The bars are for the eye; the table says it in words.
    expect(await chart.locator('.bars').getAttribute('aria-hidden')).toBe('true');
    const rows = await chart
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim())));
    expect(rows).toEqual([
      ['Brest', '0', '0 %'],
      ['Rennes', '2', '100 %'],
      ['Nantes', '0', '0 %'],
    ]);
    // Aggregates only: who answered what stays with the teacher.
    expect(await phone.getByText('Qui a répondu quoi').count()).toBe(0);
    await expectAccessible(phone);

    const href = await teacher
      .getByRole('link', { name: 'Télécharger les résultats (CSV)' })
      .getAttribute('href');
    const csv = await teacher.evaluate(async (url) => {
      const res = await fetch(url!);
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        bytes: [...new Uint8Array(await res.arrayBuffer())],
      };
    }, href);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.bytes.slice(0, 3)).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(new Uint8Array(csv.bytes));
    expect(text).toContain('Rennes;2');
    expect(text).toContain('Nombre de réponses;2');
    // A student may not download it.
    const refused = await lea.evaluate(async (url) => (await fetch(url!)).status, href);
    expect(refused).toBe(403);
  });

  it('mutes a student’s chat: their message is refused, in French', async () => {
    await teacher.getByRole('button', { name: `Couper la discussion de ${LEA_NAME}` }).click();
    await expect
      .poll(() => lea.getByText('L’enseignant a coupé votre discussion.').count())
      .toBeGreaterThan(0);
    await lea.getByLabel('Message', { exact: true }).fill('On peut parler ?');
    await lea.getByRole('button', { name: 'Envoyer' }).click();
    await expect
      .poll(() => lea.getByRole('alert').allTextContents())
      .toContain('Non envoyé : l’enseignant a coupé votre discussion');
    // The refused message stays on her screen, with a way to send it again later.
    expect(
      await lea.getByRole('button', { name: 'Réessayer d’envoyer « On peut parler ? »' }).count(),
    ).toBe(1);
  });

  it('makes a student co-teacher, with the teacher’s controls and results, then takes it back', async () => {
    await teacher.getByRole('button', { name: `Faire co-enseignant : ${LEA_NAME}` }).click();
    await expect
      .poll(() => lea.getByRole('heading', { name: 'Animation de la classe' }).count())
      .toBe(1);
    // Who answered what, as the teacher sees it.
    await expect.poll(() => lea.getByText('Qui a répondu quoi').count()).toBe(1);
    await expectAccessible(lea);
    await teacher
      .getByRole('button', { name: `Retirer le rôle de co-enseignant : ${LEA_NAME}` })
      .click();
    await expect
      .poll(() => lea.getByRole('heading', { name: 'Animation de la classe' }).count())
      .toBe(0);
    expect(await lea.getByText('Qui a répondu quoi').count()).toBe(0);
  });

  it('keeps a late student in the waiting room until the teacher admits them', async () => {
    await teacher.getByLabel('Salle d’attente (les élèves attendent d’être admis)').check();
    const late = await open(LATE);
    await late.goto(`${preau.url}/classes/${classId}/live/${sessionId}`);
    await expect.poll(() => late.getByRole('heading', { name: 'Salle d’attente' }).count()).toBe(1);
    expect(await late.getByText('Vous êtes en salle d’attente.', { exact: false }).count()).toBe(1);
    await expectAccessible(late);

    const admit = teacher.getByRole('button', { name: /^Admettre (?!tout)/ });
    await expect.poll(() => admit.count()).toBe(1);
    await admit.focus();
    await teacher.keyboard.press('Enter');
    await expect.poll(() => late.getByRole('heading', { name: 'Salle d’attente' }).count()).toBe(0);
    await connected(late);
    // Admitted, they see the poll's published results like the rest of the class.
    await expect.poll(() => late.locator('figure.poll-chart').count()).toBe(1);
    await expectAccessible(teacher);
  });
});
