import { createHash } from 'node:crypto';
import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { traceKinds } from '../support/archive';
import { expectAccessible } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn } from '../support/signin';

const CLASS = '4e B';
const classId = classIdOf(DEMO_SCHOOLS.college.uai, CLASS);
const space = classSpaceId(classId);
const STUDENTS = demoDirectory()
  .accounts.filter((a) => a.className === CLASS)
  .slice(0, 3);
const [LEA, NOAH, LATE] = STUDENTS as [
  (typeof STUDENTS)[number],
  (typeof STUDENTS)[number],
  (typeof STUDENTS)[number],
];

/**
 * A PDF of `pages` pages, page n showing n black squares: small, valid,
 * and with no font (nothing for pdf.js to fetch).
 */
function makePdf(pages: number): Buffer {
  const objects: string[] = [];
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  for (let n = 1; n <= pages; n++) {
    const squares = Array.from({ length: n }, (_, i) => `${60 + i * 90} 600 60 60 re f`).join('\n');
    const content = `0 0 0 rg\n${squares}\n`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${4 + (n - 1) * 2} 0 R >>`,
    );
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}endstream`);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Collects the page's CSP violations, as the browser reports them. */
async function watchCsp(context: BrowserContext, seen: string[]) {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __csp?: string[] };
      w.__csp ??= [];
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.push(msg.text());
  });
}
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

// A teacher uploads a PDF in the live class and presents it: every browser
// (a desktop, a phone, a late joiner, a reload) shows page 3 drawn by
// pdf.js with the teacher's stroke and note on top; a student given
// control turns the page; the PDF is among the class's files with its
// hash, and every act is in the class's traces.
describe('presenting a PDF in the live class', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let lea: Page;
  let phone: Page;
  const seen: string[] = [];
  const pdf = makePdf(5);
  const WAIT = { timeout: 20_000 };

  const open = async (login: string, opts: { phone?: boolean; en?: boolean } = {}) => {
    const context = await browser.newContext({
      permissions: ['camera', 'microphone'],
      ...(opts.phone
        ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
        : { viewport: { width: 1280, height: 900 } }),
    });
    if (opts.en) await context.addCookies([{ name: 'lang', value: 'en', url: preau.url }]);
    await watchCsp(context, seen);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${login}] ${e.message}`));
    await signIn(page, preau.url, login);
    return page;
  };
  const connected = (page: Page) =>
    expect
      .poll(() => page.getByRole('status').first().textContent(), WAIT)
      .toMatch(/Connecté|Connected/);
  /** The page pdf.js drew in this browser. */
  const rendered = (page: Page) =>
    page.locator('canvas[data-rendered-page]').getAttribute('data-rendered-page');
  /** Whether the canvas holds ink (the page's black squares), read from its pixels. */
  const inked = (page: Page) =>
    page.locator('canvas[data-rendered-page]').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 60 && data[i + 3]! > 200) dark++;
      return dark;
    });
  let room = '';

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium({ media: true })]);
    teacher = await open('prof.martin');
    lea = await open(LEA.login);
    phone = await open(NOAH.login, { phone: true });
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('uploads a PDF in the room and shows page 3 in every browser, pages turned by keyboard', async () => {
    await teacher.goto(`${preau.url}/classes/${classId}/live`);
    await teacher.getByRole('button', { name: 'Démarrer une classe en direct' }).click();
    await teacher.waitForURL(/\/direct\/ls_/);
    room = teacher.url();
    await connected(teacher);
    await Promise.all([lea.goto(room), phone.goto(room)]);
    await Promise.all([connected(lea), connected(phone)]);

    await teacher.getByLabel('Déposer un PDF').setInputFiles({
      name: 'cours-fractions.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await teacher.getByRole('button', { name: 'Déposer et présenter' }).click();
    for (const page of [teacher, lea, phone]) {
      await expect
        .poll(
          () => page.getByRole('heading', { name: 'Présentation : cours-fractions.pdf' }).count(),
          WAIT,
        )
        .toBe(1);
      await expect.poll(() => rendered(page), WAIT).toBe('1');
    }
    // Students see the page, not the controls.
    expect(await lea.getByRole('button', { name: 'Page suivante' }).count()).toBe(0);

    const next = teacher.getByRole('button', { name: 'Page suivante' });
    await next.focus();
    await teacher.keyboard.press('Enter');
    await expect.poll(() => rendered(teacher), WAIT).toBe('2');
    await next.focus();
    await teacher.keyboard.press('Enter');
    for (const page of [teacher, lea, phone]) {
      await expect.poll(() => rendered(page), WAIT).toBe('3');
      expect(await page.getByText('Page 3 sur 5').count()).toBeGreaterThan(0);
      expect(await inked(page)).toBeGreaterThan(0);
    }
    expect(
      await lea.getByRole('img', { name: 'Page 3 sur 5 de « cours-fractions.pdf »' }).count(),
    ).toBe(1);
  });

  it('draws a stroke and types a note that everyone sees on page 3, kept for a late joiner and a reload', async () => {
    await teacher.getByRole('button', { name: 'Crayon' }).click();
    const svg = teacher.locator('svg.marks');
    await svg.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const box = (await svg.boundingBox())!;
    await teacher.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await teacher.mouse.down();
    for (let i = 1; i <= 10; i++) {
      await teacher.mouse.move(box.x + box.width * (0.2 + i * 0.04), box.y + box.height * 0.35);
    }
    await teacher.mouse.up();

    const note = teacher.getByLabel('Note sur la page');
    await note.focus();
    await teacher.keyboard.type('Simplifier la fraction');
    await teacher.keyboard.press('Enter');

    const late = await open(LATE.login);
    await late.goto(room);
    await connected(late);
    await lea.reload();
    await connected(lea);
    for (const page of [teacher, lea, phone, late]) {
      await expect
        .poll(() => page.locator('svg.marks path.stroke[data-mark]').count(), WAIT)
        .toBe(1);
      await expect
        .poll(() => page.locator('svg.marks text.note').textContent(), WAIT)
        .toBe('Simplifier la fraction');
      await expect.poll(() => rendered(page), WAIT).toBe('3');
    }
    expect(
      await lea
        .getByRole('list', { name: 'Notes de cette page' })
        .getByText('Simplifier la fraction')
        .count(),
    ).toBe(1);
    await expectAccessible(teacher);
    await expectAccessible(phone);
    // Nothing runs off the side of a phone's screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await late.context().close();
  });

  it('hands the pages to a student, who turns to page 4 for everyone; then takes them back', async () => {
    await teacher.getByLabel('Qui tourne les pages').selectOption({ label: LEA.name });
    await expect
      .poll(
        () => lea.getByText('L’enseignant vous a donné la main', { exact: false }).count(),
        WAIT,
      )
      .toBe(1);
    await lea.getByRole('button', { name: 'Page suivante' }).click();
    for (const page of [teacher, lea, phone])
      await expect.poll(() => rendered(page), WAIT).toBe('4');
    // Page 4 has its own marks: none.
    expect(await phone.locator('svg.marks path.stroke[data-mark]').count()).toBe(0);
    await teacher
      .getByLabel('Qui tourne les pages')
      .selectOption({ label: 'Les enseignants seulement' });
    await expect
      .poll(() => lea.getByRole('button', { name: 'Page suivante' }).count(), WAIT)
      .toBe(0);
  });

  it('reads in English for an English reader', async () => {
    const en = await open(LATE.login, { en: true });
    await en.goto(room);
    await connected(en);
    await expect.poll(() => en.getByText('Page 4 of 5').count(), WAIT).toBeGreaterThan(0);
    expect(
      await en.getByRole('heading', { name: 'Presentation: cours-fractions.pdf' }).count(),
    ).toBe(1);
    await expectAccessible(en);
    await en.context().close();
  });

  it('keeps the PDF among the class’s files with its hash, traces every act, and logs no CSP violation', async () => {
    for (const page of [teacher, lea, phone]) expect(await violations(page)).toEqual([]);
    expect(seen).toEqual([]);

    await teacher.goto(`${preau.url}/espaces/${space}/fichiers`);
    expect(await teacher.getByText('cours-fractions.pdf').count()).toBeGreaterThan(0);
    const files = await teacher.evaluate(async (s) => {
      const res = await fetch(`/api/spaces/${s}/files`, {
        headers: { accept: 'application/json' },
      });
      return (await res.json()) as { data: Array<{ name: string; sha256: string }> };
    }, space);
    const stored = files.data.find((f) => f.name === 'cours-fractions.pdf')!;
    expect(stored.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));

    // The PDF with its annotations, from the class's files, after the session too.
    await teacher
      .getByRole('link', { name: 'Voir « cours-fractions.pdf » avec ses annotations' })
      .click();
    await expect
      .poll(() => teacher.getByText('Pages annotées : 3', { exact: false }).count(), WAIT)
      .toBe(1);
    await expect.poll(() => rendered(teacher), WAIT).toBe('1');
    await teacher.getByRole('button', { name: 'Page suivante' }).click();
    await teacher.getByRole('button', { name: 'Page suivante' }).click();
    await expect.poll(() => rendered(teacher), WAIT).toBe('3');
    expect(await teacher.locator('svg.marks path.stroke[data-mark]').count()).toBe(1);
    expect(await teacher.locator('svg.marks text.note').textContent()).toBe(
      'Simplifier la fraction',
    );
    await expectAccessible(teacher);

    // Traced: in the outbox or already moved by the archiver to the archive's index.
    const kinds = new Set(await traceKinds(preau.services.database.db, space));
    for (const kind of [
      'file.added',
      'presentation.opened',
      'presentation.page',
      'presentation.marked',
      'presentation.control',
    ]) {
      expect([...kinds], kind).toContain(kind);
    }
  });
});
