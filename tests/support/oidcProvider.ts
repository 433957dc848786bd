/// <reference path="../../web/server/types/oidc-provider.d.ts" />
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { memoryAdapterClass } from '../../web/server/identity/memoryAdapter';
import { freePort } from './ports';

/** A standalone OpenID Connect provider for tests: a stand-in for the ENT's (EduConnect-like). */
export interface TestOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider on its own free port, as an *external* provider: its
 * own login form (English, a username field), subjects that are opaque
 * (`ext-…`), the directory login in `preferred_username`, one confidential
 * client with PKCE required, and RP-initiated logout.
 */
export async function startTestOidcProvider(opts: {
  clientId: string;
  clientSecret: string;
  /** The relying party's origin, e.g. `http://127.0.0.1:41234`. */
  rpOrigin: string;
  /** Usernames this provider knows (anything else is refused at its login form). */
  users: string[];
}): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const subjectOf = (username: string) => `ext-${Buffer.from(username).toString('hex')}`;
  const usernameOf = new Map(opts.users.map((u) => [subjectOf(u), u]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    adapter: memoryAdapterClass(),
    jwks: {
      keys: [{ ...(await exportJWK(privateKey)), kid: 'test-ent', alg: 'RS256', use: 'sig' }],
    },
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [`${opts.rpOrigin}/auth/callback`],
        post_logout_redirect_uris: [`${opts.rpOrigin}/`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    // Put profile claims in the ID token too, as many ENT providers do.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const username = usernameOf.get(sub);
      if (!username) return undefined;
      return { accountId: sub, claims: () => ({ sub, preferred_username: username }) };
    },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/login/${i.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    loadExistingGrant: async (ctx: {
      oidc: {
        client: { clientId: string };
        session: { accountId: string; grantIdFor(id: string, value?: string): string | undefined };
        provider: Provider;
      };
    }) => {
      const { oidc } = ctx;
      const existing = oidc.session.grantIdFor(oidc.client.clientId);
      if (existing) return oidc.provider.Grant.find(existing);
      const grant = new oidc.provider.Grant({
        clientId: oidc.client.clientId,
        accountId: oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      oidc.session.grantIdFor(oidc.client.clientId, grant.jti);
      return grant;
    },
  });
  const callback = provider.callback();
  const server: Server = createServer((req, res) => {
    const match = /^\/login\/([^/?]+)$/.exec((req.url ?? '').split('?')[0]!);
    if (!match) return callback(req, res);
    (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        const username = new URLSearchParams(await body(req)).get('username') ?? '';
        if (!opts.users.includes(username)) {
          res.statusCode = 401;
          return res.end('unknown user');
        }
        return provider.interactionFinished(req, res, {
          login: { accountId: subjectOf(username) },
        });
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><head><title>Test ENT sign-in</title></head><body><main>
<h1>Test ENT</h1><form method="post" action="/login/${details.uid}">
<label for="username">Username</label><input id="username" name="username">
<button type="submit">Sign in</button></form></main></body></html>`);
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
