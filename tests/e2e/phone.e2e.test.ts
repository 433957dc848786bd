import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { accessibilityProblems, WCAG_21_AA } from '../support/axe';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

/** A phone held upright (an iPhone 12–15 class screen). */
const PHONE = { width: 390, height: 844 };
const CLASS = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const SPACE = classSpaceId(CLASS);
const STUDENT = demoDirectory().accounts.find((a) => a.className === '3e A')!.login;

type Who = 'anonymous' | 'student' | 'teacher' | 'admin' | 'archivist' | 'dpo';
const LOGINS: Record<Exclude<Who, 'anonymous'>, string> = {
  student: STUDENT,
  teacher: 'prof.martin',
  admin: 'admin',
  archivist: 'archiviste',
  dpo: 'dpo',
};

/** One page to visit: who opens it, and what must be on the first screen. */
interface Visit {
  name: string;
  who: Who;
  path: () => string;
  /** The page's first primary element (a form, a list, the editor…), after its h1. */
  primary: string;
  /** The whole primary element must be on the first screen (the pad's text box), not just its top. */
  whole?: boolean;
  /** Waits for what only arrives after hydration (an editor, a board). */
  ready?: (page: Page) => Promise<void>;
  /** A third-party widget that axe leaves out (Excalidraw's canvas). */
  axeExclude?: string;
  /** HTTP status the page answers with (200 unless said). */
  status?: number;
}

async function data<T>(res: Response): Promise<T> {
  const body = await res.json();
  if (!body.ok) throw new Error(`${res.status} ${JSON.stringify(body.error)}`);
  return body.data as T;
}

/** Where the page's content lies: sideways overflow, and the h1 and primary element's edges. */
function layoutOf(page: Page, primary: string) {
  return page.evaluate((selector) => {
    const top = (el: Element | null) => (el ? el.getBoundingClientRect().top + scrollY : null);
    const h1 = document.querySelector('main h1');
    const header = document.querySelector('body > div > header, header.top');
    return {
      headerHeight: header?.getBoundingClientRect().height ?? 0,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      innerHeight,
      h1Bottom: h1 ? h1.getBoundingClientRect().bottom + scrollY : null,
      primaryTop: top(document.querySelector(selector)),
      primaryBottom: (() => {
        const el = document.querySelector(selector);
        return el ? el.getBoundingClientRect().bottom + scrollY : null;
      })(),
    };
  }, primary);
}

/**
 * Pages of other branches that fail this check today, and why. Each is run
 * as `it.fails`: when its fix is merged the case starts to pass, `it.fails`
 * reports it, and its line here is to be removed.
 */
const KNOWN_FAILURES: Record<string, string> = {};

describe('every page on a phone (390×844): no sideways scroll, content on the first screen, axe', () => {
  let preau: RunningPreau;
  let browser: Browser;
  const contexts = new Map<Who, BrowserContext>();
  const ids = { pad: '', board: '', session: '', case: '' };

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    const [teacher, archivist] = await Promise.all([
      signInApi(preau.url, 'prof.martin'),
      signInApi(preau.url, 'archiviste'),
    ]);
    const doc = async (kind: string, title: string) =>
      data<{ id: string }>(
        await teacher.fetch('/api/docs', { body: { space: SPACE, kind, title } }),
      );
    ids.pad = (await doc('pad', 'Rédaction : mon week-end')).id;
    ids.board = (await doc('board', 'Carte mentale')).id;
    ids.session = (
      await data<{ sessionId: string }>(
        await teacher.fetch('/api/live/sessions', { body: { classId: CLASS, title: 'Maths' } }),
      )
    ).sessionId;
    ids.case = (
      await data<{ id: string }>(
        await archivist.fetch('/api/archive/cases', {
          body: { reference: 'PV 2026/0390', legalBasis: 'Art. 60-1 CPP', authority: 'Parquet' },
        }),
      )
    ).id;
    // The directory's membership traces reach the archive within a second or two.
    for (
      let tries = 0;
      (await archivist.fetch(`/api/archive/records/${SPACE}/1`)).status !== 200;
    ) {
      if (++tries > 100) throw new Error('the first trace never reached the archive');
      await new Promise((r) => setTimeout(r, 100));
    }
    const people = [['anonymous', null], ...Object.entries(LOGINS)] as [Who, string | null][];
    await Promise.all(
      people.map(async ([who, login]) => {
        const context = await browser.newContext({
          viewport: PHONE,
          isMobile: true,
          hasTouch: true,
        });
        if (login) await signIn(await context.newPage(), preau.url, login);
        contexts.set(who, context);
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  const visits: Visit[] = [
    { name: 'home, signed out', who: 'anonymous', path: () => '/', primary: 'main a.button' },
    { name: 'home, a student', who: 'student', path: () => '/', primary: 'main .panel' },
    {
      name: 'sign-in error',
      who: 'anonymous',
      path: () => '/auth/erreur?raison=expired',
      primary: 'main p',
    },
    { name: 'unknown account', who: 'anonymous', path: () => '/auth/inconnu', primary: 'main p' },
    {
      name: 'page not found',
      who: 'student',
      path: () => '/nulle-part',
      primary: 'main p',
      status: 404,
    },
    {
      name: 'forbidden page',
      who: 'student',
      path: () => '/admin',
      primary: 'main p',
      status: 403,
    },
    {
      name: 'class page',
      who: 'teacher',
      path: () => `/classes/${CLASS}`,
      primary: '#class-links',
    },
    {
      name: 'class documents',
      who: 'teacher',
      path: () => `/classes/${CLASS}/docs`,
      primary: '#doc-title',
    },
    {
      name: 'a pad',
      who: 'teacher',
      path: () => `/docs/${ids.pad}`,
      primary: '.pad-content',
      whole: true,
      ready: async (page) => {
        await page.locator('.pad-content').click();
        await page.keyboard.type('Samedi, nous sommes allés à la mer.');
        await expect
          .poll(() => page.locator('.save-state').getAttribute('data-state'))
          .toBe('saved');
      },
    },
    {
      name: 'a board',
      who: 'teacher',
      path: () => `/docs/${ids.board}`,
      primary: '.board-host',
      ready: (page) => page.locator('.board-host .excalidraw').waitFor(),
      axeExclude: '.board-host',
    },
    {
      name: 'a document’s history',
      who: 'teacher',
      path: () => `/docs/${ids.pad}/history`,
      primary: '#history-slider',
    },
    {
      name: 'live class',
      who: 'teacher',
      path: () => `/classes/${CLASS}/live`,
      primary: 'main .panel',
    },
    {
      name: 'a live session',
      who: 'teacher',
      path: () => `/classes/${CLASS}/live/${ids.session}`,
      primary: '.stage',
    },
    {
      name: 'attendance',
      who: 'teacher',
      path: () => `/classes/${CLASS}/live/${ids.session}/presences`,
      primary: 'main table, main h1 + p',
    },
    { name: 'admin: schools', who: 'admin', path: () => '/admin', primary: 'main table' },
    { name: 'admin: persons', who: 'admin', path: () => '/admin/personnes', primary: 'main form' },
    { name: 'admin: import', who: 'admin', path: () => '/admin/import', primary: '#fichier' },
    {
      name: 'admin: retention',
      who: 'admin',
      path: () => '/admin/retention',
      primary: '#rt-scope',
    },
    { name: 'my data', who: 'student', path: () => '/me/data', primary: 'main a.button' },
    { name: 'archive search', who: 'archivist', path: () => '/archive', primary: 'main form' },
    { name: 'cases', who: 'archivist', path: () => '/archive/cases', primary: 'main section' },
    {
      name: 'a case',
      who: 'archivist',
      path: () => `/archive/cases/${ids.case}`,
      primary: 'main section',
    },
    {
      name: 'a record',
      who: 'archivist',
      path: () => `/archive/records/${SPACE}/1`,
      primary: 'main dl',
    },
    { name: 'DPO page', who: 'dpo', path: () => '/dpo', primary: 'main [role="status"]' },
  ];

  for (const visit of visits) {
    const test = KNOWN_FAILURES[visit.name] ? it.fails : it;
    test(visit.name, async () => {
      const page = await contexts.get(visit.who)!.newPage();
      const res = await page.goto(`${preau.url}${visit.path()}`);
      expect(res?.status()).toBe(visit.status ?? 200);
      await page.locator('main h1').waitFor();
      await page.locator(visit.primary).first().waitFor();
      await visit.ready?.(page);
      const layout = await layoutOf(page, visit.primary);
      // One line of header: the brand and the menu button (about 3 rem).
      expect(layout.headerHeight, 'header on one line').toBeLessThanOrEqual(64);
      // innerWidth too: a mobile browser zooms out to show what overflows, and innerWidth grows.
      expect(layout.scrollWidth, 'sideways overflow').toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.innerWidth, 'zoomed out to fit').toBe(PHONE.width);
      expect(layout.h1Bottom, 'h1 on the first screen').toBeLessThanOrEqual(layout.innerHeight);
      expect(layout.primaryTop, 'primary element starts on the first screen').toBeLessThan(
        layout.innerHeight - 48,
      );
      expect(
        await accessibilityProblems(page, { exclude: visit.axeExclude, tags: WCAG_21_AA }),
      ).toEqual([]);
      await page.close();
    });
  }
});
