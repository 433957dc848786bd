import {
  boardElementValues,
  boardFilesMap,
  docFromState,
  mergeParts,
  stringsOfUpdate,
} from '@preau/protocol/docs-model';
import { readDocParts } from '@preau/storage';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningPreau } from '../../web/server/app';

/**
 * Creates a pad or a board from a class's documents page, as a member would;
 * the page then opens it. Returns the document's id.
 */
export async function createDocFromPage(
  page: Page,
  baseUrl: string,
  classId: string,
  title: string,
  kind: 'pad' | 'board',
): Promise<string> {
  await page.goto(`${baseUrl}/classes/${classId}/docs`);
  await page.getByLabel('Titre', { exact: true }).fill(title);
  await page.getByLabel('Type').selectOption(kind);
  await page.getByRole('button', { name: 'Créer', exact: true }).click();
  await page.waitForURL((u) => /^\/docs\/d[0-9a-f]+$/.test(u.pathname));
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

/** What the save indicator says: saved, saving or offline. */
export const saveState = (page: Page) => page.locator('.save-state').getAttribute('data-state');

/**
 * Presses and releases a button of the pad's toolbar with the mouse, and
 * checks that the text keeps the focus throughout: keys typed at once after
 * the click go to the text (Tiptap's own `focus()` would give it back only
 * on the next animation frame).
 */
export async function padToolbar(page: Page, name: string): Promise<void> {
  const editorFocused = () =>
    page.evaluate(() => document.activeElement?.classList.contains('ProseMirror') ?? false);
  await page.getByRole('button', { name, exact: true }).hover();
  await page.mouse.down();
  expect(await editorFocused()).toBe(true);
  await page.mouse.up();
  expect(await editorFocused()).toBe(true);
}

/** The pad's text, without other people's carets (their names are drawn inside the text). */
export const padText = (page: Page) =>
  page.locator('.pad-content').evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });

/** How many elements a board shows (told to screen readers, read here). */
export const boardCount = (page: Page) => page.locator('.board-count').getAttribute('data-count');

/** The board's box once it is fully in view (clicks focus the board, which must not scroll). */
export async function boardBox(page: Page) {
  // The board takes input once bound to the shared document (inert until then).
  await page.locator('.board-host:not([inert])').waitFor();
  await page.locator('.board-host').scrollIntoViewIfNeeded();
  return (await page.locator('.board-host').boundingBox())!;
}

/**
 * Draws a shape with Excalidraw's keyboard shortcut and a drag on the canvas
 * (right of the properties panel that opens on the left with a tool).
 */
export async function drawOnBoard(
  page: Page,
  key: string,
  from: [number, number],
  to: [number, number],
) {
  const box = await boardBox(page);
  // Shortcuts reach Excalidraw once its canvas has the focus (a click on an empty spot).
  await page.mouse.click(box.x + 820, box.y + 420);
  await page.keyboard.press(key);
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + (from[0] + to[0]) / 2, box.y + (from[1] + to[1]) / 2, { steps: 4 });
  await page.mouse.move(box.x + to[0], box.y + to[1], { steps: 4 });
  await page.mouse.up();
  await page.keyboard.press('Escape');
}

/** The board's elements as the server stored them. */
export async function storedElements(preau: RunningPreau, docId: string) {
  const parts = await readDocParts(preau.services.database.db, docId);
  const doc = docFromState(
    mergeParts(
      parts.snapshot?.state ?? null,
      parts.updates.map((u) => u.body),
    ),
  );
  return {
    elements: boardElementValues(doc)
      .map((el) => el as { type: string; isDeleted?: boolean })
      .filter((el) => !el.isDeleted),
    files: boardFilesMap(doc).toJSON() as Record<string, Record<string, unknown>>,
  };
}

/**
 * The last sequence number of a document's stored history (0 when nothing
 * was ever stored): it moves if and only if an update is stored.
 */
export async function lastStoredSeq(preau: RunningPreau, docId: string): Promise<number> {
  const parts = await readDocParts(preau.services.database.db, docId);
  return parts.updates.at(-1)?.seq ?? parts.snapshot?.seq ?? 0;
}

/** Every string the stored updates of a local copy carry (deleted text included), joined. */
export async function localStrings(page: Page, name: string): Promise<string> {
  // The copy's base and the base of its last instants beside it (written when the tab hid or closed).
  const updates = await page.evaluate(
    async (names) => {
      const existing = new Set((await indexedDB.databases()).map((d) => d.name));
      const out: number[][] = [];
      for (const dbName of names) {
        if (!existing.has(dbName)) continue;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(dbName);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        if (db.objectStoreNames.contains('updates')) {
          const values = await new Promise<Uint8Array[]>((resolve, reject) => {
            const req = db.transaction('updates', 'readonly').objectStore('updates').getAll();
            req.onsuccess = () => resolve(req.result as Uint8Array[]);
            req.onerror = () => reject(req.error);
          });
          out.push(...values.map((v) => Array.from(v)));
        }
        db.close();
      }
      return out;
    },
    [name, `${name}:last`],
  );
  return updates.flatMap((u) => stringsOfUpdate(Uint8Array.from(u))).join('');
}
