import type { Page } from 'playwright-core';

/**
 * Signs a Playwright page in through the embedded demo provider's « Se
 * connecter en tant que… » page, as `login` (e.g. `prof.martin`), and waits
 * until Préau shows the signed-in page (`returnTo`, `/` by default).
 */
export async function signIn(page: Page, baseUrl: string, login: string, returnTo = '/') {
  const origin = new URL(baseUrl).origin;
  await page.goto(`${origin}/auth/login?retour=${encodeURIComponent(returnTo)}`);
  await page.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
  // The demo provider offers its demo accounts only.
  await page.locator(`button[name="login"][value="${login}"]`).click();
  await page.waitForURL(
    (u) =>
      u.origin === origin && !u.pathname.startsWith('/oidc') && u.pathname !== '/auth/callback',
  );
}

/** A signed-in session for API calls from Node: the cookie header and the CSRF token. */
export interface ApiSession {
  cookie: string;
  csrf: string;
  /** Headers for a JSON request that changes state (cookie, CSRF token, content type). */
  headers(): Record<string, string>;
  /** Calls Préau's API with this session; `body` is sent as JSON. */
  fetch(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
}

/**
 * Signs in from Node through the demo provider by following the same
 * redirects a browser would (authorization code with PKCE), keeping cookies.
 */
export async function signInApi(baseUrl: string, login: string): Promise<ApiSession> {
  const origin = new URL(baseUrl).origin;
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const request = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  let url = `${origin}/auth/login`;
  for (let hops = 0; hops < 10; hops++) {
    const res = await request(url);
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    await res.body?.cancel();
    const interaction = /\/oidc\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
    if (!interaction) break;
    const posted = await request(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ login }).toString(),
    });
    url = new URL(posted.headers.get('location') ?? '', url).href;
  }
  const session = jar.get('preau_session');
  const csrf = jar.get('preau_csrf');
  if (!session || !csrf) throw new Error(`sign-in as ${login} failed (ended at ${url})`);
  const cookie = `preau_session=${session}; preau_csrf=${csrf}`;
  const headers = () => ({ cookie, 'x-preau-csrf': csrf, 'content-type': 'application/json' });
  return {
    cookie,
    csrf,
    headers,
    fetch: (path, init = {}) =>
      fetch(new URL(path, origin), {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: headers(),
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
  };
}
