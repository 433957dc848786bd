import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt package `chromium`); Préau never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium with the flags this closed network needs (no
 * background traffic), plus a fake camera and microphone for media tests.
 */
export async function launchChromium(opts: { media?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(opts.media
        ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']
        : []),
    ],
  });
}

/**
 * Waits until the page's scripts run (the root layout marks `<html>` once
 * mounted): what is typed before would be lost when the page hydrates.
 */
export async function scriptsRunning(page: Page): Promise<void> {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

/**
 * How far the page reaches past the screen's right edge (0 when it does not),
 * with the outermost elements that reach past it, for the failure's message.
 * Waits up to `timeout` for a layout that settles within the screen (a
 * reload or a form's answer may be laid out in two steps).
 */
export async function sidewaysOverflow(
  page: Page,
  timeout = 3_000,
): Promise<{ overflow: number; wide: string[] }> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = await page.evaluate(() => {
      const edge = document.documentElement.clientWidth;
      const past = (e: Element) => e.getBoundingClientRect().right > edge + 1;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => past(e) && !(e.parentElement && past(e.parentElement)))
        .map((e) => {
          const tag = e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '');
          const cls = typeof e.className === 'string' && e.className ? `.${e.className}` : '';
          return `${tag}${cls} → ${Math.round(e.getBoundingClientRect().right)} px: ${(e.textContent ?? '').trim().slice(0, 40)}`;
        });
      return { overflow: document.documentElement.scrollWidth - edge, wide: wide.slice(0, 10) };
    });
    if (found.overflow <= 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}
