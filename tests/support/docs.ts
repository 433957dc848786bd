import type { Page } from 'playwright-core';

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

/** The pad's text, without other people's carets (their names are drawn inside the text). */
export const padText = (page: Page) =>
  page.locator('.pad-content').evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });
