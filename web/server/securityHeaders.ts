import type { ServerResponse } from 'node:http';

/**
 * The Content-Security-Policy directives of every page. SvelteKit adds a
 * nonce to `script-src` for its own inline start-up script (see
 * web/vite.config.ts); nothing else runs inline. Styles may be inline:
 * Excalidraw and Svelte's style attributes need it, and a style cannot run
 * code. WebSockets go to this origin only ('self' covers ws: and wss:).
 */
export const CSP_DIRECTIVES = {
  'default-src': ['self'],
  'script-src': ['self'],
  'style-src': ['self', 'unsafe-inline'],
  'img-src': ['self', 'data:', 'blob:'],
  'font-src': ['self', 'data:'],
  'media-src': ['self', 'blob:', 'mediastream:'],
  'connect-src': ['self'],
  'worker-src': ['self', 'blob:'],
  // Same origin only: a space's PDF previewed in its files page (served sandboxed).
  'frame-src': ['self'],
  'object-src': ['none'],
  'base-uri': ['self'],
  'form-action': ['self'],
  'frame-ancestors': ['none'],
} as const;

/** Directives as a header value, with extra sources appended where given. */
export function cspHeader(extra: Partial<Record<keyof typeof CSP_DIRECTIVES, string[]>> = {}) {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, sources]) => {
      const quoted = sources.map((s) =>
        /^(self|none|unsafe-inline|strict-dynamic)$/.test(s) ? `'${s}'` : s,
      );
      const more = extra[name as keyof typeof CSP_DIRECTIVES] ?? [];
      return [name, ...quoted, ...more].join(' ');
    })
    .join('; ');
}

/**
 * Headers every response carries, pages, API, sign-in and assets alike:
 * no sniffing, no framing, a referrer kept to Préau's origin, camera,
 * microphone and screen capture for Préau's own pages only, and HSTS when
 * Préau is served over https. Pages get SvelteKit's CSP (with its nonce);
 * everything else gets the same policy here.
 */
export function setSecurityHeaders(
  res: ServerResponse,
  opts: { https: boolean; csp: string },
): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader(
    'Permissions-Policy',
    'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=(), interest-cohort=()',
  );
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  if (opts.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  // SvelteKit replaces this with its own (nonce) policy on the pages it renders.
  res.setHeader('Content-Security-Policy', opts.csp);
}
