import { readFileSync } from 'node:fs';
import { classSpaceId } from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, readAudit, SampleActivity } from '@preau/storage';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { startTestPreau } from '../support/preau';
import { signIn, signInApi } from '../support/signin';

const CLASS_SPACE = classSpaceId(classIdOf(DEMO_SCHOOLS.college.uai, '4e B'));
const GROUP_SPACE = 'group_e2e_rights';

describe('people’s rights at /me/data, in Chromium', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let hugo: string;

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    const db = preau.services.database.db;
    hugo = (
      await db
        .selectFrom('person')
        .select('id')
        .where('login', '=', 'eleve.hugo.petit')
        .executeTakeFirstOrThrow()
    ).id;
    const inClass = new SampleActivity(db, CLASS_SPACE, new Date(Date.now() - 7_200_000));
    await inClass.createDocs(hugo);
    await inClass.type(hugo, 'Hugo note son adresse : 3 rue des Lilas.');
    await inClass.say(hugo, 'Je m’appelle Hugo et voici mon secret', 'msg_rights_1');
    const inGroup = new SampleActivity(db, GROUP_SPACE, new Date(Date.now() - 7_000_000));
    await inGroup.say(hugo, 'Message gardé par la justice', 'msg_rights_2');
    // An archivist holds the group's traces for a case.
    const archivist = await signInApi(preau.url, 'archiviste');
    const kase = await (
      await archivist.fetch('/api/archive/cases', {
        body: {
          reference: 'PV-E2E-RGPD',
          legalBasis: 'Réquisition',
          authority: 'Parquet de Rennes',
        },
      })
    ).json();
    const held = await archivist.fetch(`/api/archive/cases/${kase.data.id}/holds`, {
      body: { space: GROUP_SPACE },
    });
    expect(held.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await preau?.close();
  });

  it('downloads one’s own data, then erases it except what a hold keeps, and says why', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, preau.url, 'eleve.hugo.petit', '/me/data');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Mes données');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger mes données (zip)' }).click(),
    ]);
    const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    const text = (name: string) => new TextDecoder().decode(files[name]);
    expect(text('messages.txt')).toContain('Je m’appelle Hugo et voici mon secret');
    expect(text('messages.txt')).toContain('Message gardé par la justice');
    expect(text(`documents/${CLASS_SPACE}/pad_1.html`)).toContain('3 rue des Lilas');

    await page.getByLabel('Je confirme vouloir effacer mes données').check();
    await page.getByRole('button', { name: 'Effacer mes données' }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('traces effacées');
    const said = (await status.textContent()) ?? '';
    expect(said).toContain(
      `1 traces gardées dans l’espace ${GROUP_SPACE} : conservation légale (dossier PV-E2E-RGPD)`,
    );
    expect(said).toContain(`Documents réécrits sans votre texte : ${CLASS_SPACE}/pad_1`);

    // The archivist now finds only what the hold keeps.
    const archivist = await signInApi(preau.url, 'archiviste');
    const found = await (await archivist.fetch(`/api/archive/search?person=${hugo}`)).json();
    expect(found.data.records.map((r: { space: string }) => r.space)).toEqual([GROUP_SPACE]);
    const inClass = await (
      await archivist.fetch(`/api/archive/search?space=${CLASS_SPACE}&kind=chat.message`)
    ).json();
    const message = inClass.data.records.find(
      (r: { subject: string }) => r.subject === 'msg_rights_1',
    );
    expect(message).toMatchObject({ deleted: 'erasure', payload: null, actor: null });
    const actions = (await readAudit(preau.services.database.db, { actor: hugo })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['rights.download', 'rights.erase']);
    await context.close();
  });
});
