/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />

import { isDocPage, KEEP_MESSAGE, PAGES_CACHE } from '#lib/docs/offlinePages';
/**
 * Préau's service worker: what a document page needs to open again without
 * the network. The app's build assets and static files are cached as they
 * are used (never all at once: a class arriving on Monday morning must not
 * download every chunk of the app), and the page of each pad or board a
 * person opened is cached when they open it (network first: online, the
 * page is always the server's). Nothing else is touched. Signing out clears
 * the caches with the rest of the site's storage.
 */
import { version } from '$app/env';
import { assets, immutable } from '$app/manifest';

const sw = self as unknown as ServiceWorkerGlobalScope;
const ASSETS_CACHE = `preau-assets-${version}`;
// Paths relative to the app's base, made absolute against the worker's scope.
const ASSETS = new Set(
  [...immutable, ...assets].map(({ path }) => new URL(path, sw.registration.scope).pathname),
);

sw.addEventListener('install', () => {
  void sw.skipWaiting();
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('preau-assets-') && key !== ASSETS_CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

/** An asset of this version: from the cache, else fetched and kept. */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(ASSETS_CACHE);
  const hit = await cache.match(request.url);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request.url, response.clone());
  return response;
}

/** A document page: from the server (kept for later), else the kept copy when the network is gone. */
async function networkFirst(request: Request): Promise<Response> {
  const key = new URL(request.url).pathname;
  const cache = await caches.open(PAGES_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic' && !response.redirected) {
      await cache.put(key, response.clone());
    } else if (!response.ok || response.redirected || response.type === 'opaqueredirect') {
      // Signed out, or no longer allowed: the kept copy goes.
      await cache.delete(key);
    }
    return response;
  } catch (err) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw err;
  }
}

/** Keeps what a document page already loaded before this worker controlled it. */
async function keep(urls: unknown): Promise<void> {
  if (!Array.isArray(urls)) return;
  const assets = await caches.open(ASSETS_CACHE);
  const pages = await caches.open(PAGES_CACHE);
  for (const raw of urls) {
    if (typeof raw !== 'string') continue;
    const url = new URL(raw, sw.location.origin);
    if (url.origin !== sw.location.origin) continue;
    if (ASSETS.has(url.pathname)) {
      if (await assets.match(url.pathname)) continue;
      const response = await fetch(url.pathname);
      if (response.ok) await assets.put(url.pathname, response);
    } else if (isDocPage(url.pathname)) {
      const response = await fetch(url.pathname, { credentials: 'same-origin' });
      if (response.ok && !response.redirected) await pages.put(url.pathname, response);
    }
  }
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (ASSETS.has(url.pathname)) event.respondWith(cacheFirst(request));
  else if (request.mode === 'navigate' && isDocPage(url.pathname))
    event.respondWith(networkFirst(request));
});

sw.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; urls?: unknown } | null;
  if (data?.type !== KEEP_MESSAGE) return;
  event.waitUntil(
    keep(data.urls).catch((err: unknown) => console.error('offline copy not kept', err)),
  );
});
