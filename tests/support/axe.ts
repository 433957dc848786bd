import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** axe's WCAG 2.1 A and AA rules only (without its best-practice rules). */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What to check: every rule unless `tags` narrows them; `exclude` leaves out a third-party widget. */
export interface AxeOptions {
  tags?: string[];
  exclude?: string;
}

/** The serious or critical accessibility problems axe-core finds on the page, one line each. */
export async function accessibilityProblems(page: Page, opts: AxeOptions = {}): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (opts.tags) builder.withTags(opts.tags);
  if (opts.exclude) builder.exclude(opts.exclude);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fails with the page's serious or critical accessibility problems, if any. */
export async function expectAccessible(page: Page, opts: AxeOptions = {}): Promise<void> {
  expect(await accessibilityProblems(page, opts), page.url()).toEqual([]);
}
