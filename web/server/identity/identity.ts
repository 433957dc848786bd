import { randomBytes } from 'node:crypto';
import type { SessionUser } from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  createWebSession,
  type Database,
  deleteWebSession,
  demoAccounts,
  findSessionUser,
  personIdByLogin,
  saveLoginAttempt,
  sessionUserOf,
  sharedSecret,
  takeLoginAttempt,
} from '@preau/storage';
import * as oidc from 'openid-client';
import type { ServerConfig } from '../config';
import { createDemoProvider, type DemoProvider } from './demoProvider';

/** How a sign-in callback ended. */
export type LoginOutcome =
  | { kind: 'signed-in'; secret: string; csrf: string; expiresAt: Date; returnTo: string }
  /** The provider vouched for someone the directory does not know. */
  | { kind: 'unknown'; login: string; providerLogout: string | null }
  | { kind: 'failed'; reason: 'expired' | 'denied' | 'provider' };

/** The signed-in person behind a session cookie. */
export interface ActiveSession {
  user: SessionUser;
  csrf: string;
  expiresAt: Date;
}

/** Sign-in through OpenID Connect, and web sessions kept in the database. */
export interface Identity {
  /** `demo` when the embedded provider serves sign-in, else `external`. */
  readonly mode: 'demo' | 'external';
  readonly sessionTtlSeconds: number;
  /** Called once the server listens: the public address is known from then on. */
  start(publicUrl: string, internalUrl: string): Promise<void>;
  /** The embedded demo provider, when it is on. */
  demoProvider(): DemoProvider | null;
  /** Starts a sign-in: the provider's authorization URL to redirect to. */
  beginLogin(returnTo: string): Promise<string>;
  /** Completes a sign-in from the provider's redirect back to /auth/callback. */
  finishLogin(callbackUrl: URL): Promise<LoginOutcome>;
  /** The session a cookie names, with the user as the directory describes them now. */
  session(secret: string): Promise<ActiveSession | null>;
  /**
   * Opens a web session for someone signed in without the provider (a
   * project's guest through their personal link), ending by `until` at most.
   */
  openSession(
    personId: string,
    until: Date,
  ): Promise<{ secret: string; csrf: string; expiresAt: Date }>;
  /** Ends a session; returns where to send the browser (the provider's logout, or home). */
  logout(secret: string): Promise<string>;
}

/** Only local paths may be returned to after sign-in (no open redirect). */
export function safeReturnTo(value: string | null | undefined): string {
  return value && /^\/(?!\/|\\)/.test(value) ? value : '/';
}

/** Creates the identity service; `start` completes it once the port is known. */
export function createIdentity(config: ServerConfig, database: Database, log: Logger): Identity {
  const db = database.db;
  const mode = config.OIDC_ISSUER ? 'external' : 'demo';
  const clientId = config.OIDC_CLIENT_ID;
  // The demo provider's client secret is drawn once and shared by every node.
  let clientSecret = config.OIDC_CLIENT_SECRET ?? '';
  const sessionTtlSeconds = config.SESSION_TTL_HOURS * 3600;
  let publicUrl: URL | undefined;
  let issuer: URL | undefined;
  let demo: DemoProvider | null = null;
  let discovered: Promise<oidc.Configuration> | undefined;
  let fetchOptions: { [oidc.customFetch]?: oidc.CustomFetch } = {};

  const configuration = () => {
    if (!issuer) throw new Error('identity not started');
    discovered ??= oidc
      .discovery(issuer, clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        ...fetchOptions,
      })
      .then((c) => {
        if (fetchOptions[oidc.customFetch]) c[oidc.customFetch] = fetchOptions[oidc.customFetch];
        return c;
      })
      .catch((err: unknown) => {
        // Try again at the next sign-in: the provider may come up later.
        discovered = undefined;
        throw err;
      });
    return discovered;
  };
  const redirectUri = () => new URL('/auth/callback', publicUrl).href;

  return {
    mode,
    sessionTtlSeconds,
    async start(publicAddress, internalAddress) {
      publicUrl = new URL(publicAddress);
      if (mode === 'external') {
        issuer = new URL(config.OIDC_ISSUER!);
        return;
      }
      clientSecret =
        config.OIDC_CLIENT_SECRET ??
        (await sharedSecret(db, 'demo-oidc-client-secret', () =>
          randomBytes(24).toString('base64url'),
        ));
      demo = await createDemoProvider({
        secret: (name, create) => sharedSecret(db, name, create),
        publicUrl: publicUrl.href,
        clientId,
        clientSecret,
        accounts: () => demoAccounts(db),
        claimsOf: async (login) => {
          const id = await personIdByLogin(db, login);
          const user = id ? await sessionUserOf(db, id) : null;
          return user ? { name: user.name } : null;
        },
        log: log.child({ module: 'demo-oidc' }),
      });
      issuer = new URL(demo.issuer);
      // The server reaches its own provider on loopback, whatever PUBLIC_URL says.
      const publicOrigin = publicUrl.origin;
      const internalOrigin = new URL(internalAddress).origin;
      if (publicOrigin !== internalOrigin)
        fetchOptions = {
          [oidc.customFetch]: (url, options) =>
            fetch(
              url.startsWith(publicOrigin) ? internalOrigin + url.slice(publicOrigin.length) : url,
              options as RequestInit,
            ),
        };
    },
    demoProvider: () => demo,

    async beginLogin(returnTo) {
      const cfg = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      await saveLoginAttempt(db, { state, nonce, codeVerifier, returnTo: safeReturnTo(returnTo) });
      const params: Record<string, string> = {
        redirect_uri: redirectUri(),
        scope: config.OIDC_SCOPES,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      // The demo always asks whom to sign in as; a real ENT keeps its single sign-on.
      if (mode === 'demo') params.prompt = 'login';
      return oidc.buildAuthorizationUrl(cfg, params).href;
    },

    async finishLogin(callbackUrl) {
      const state = callbackUrl.searchParams.get('state');
      const attempt = state ? await takeLoginAttempt(db, state) : null;
      if (!attempt) return { kind: 'failed', reason: 'expired' };
      if (callbackUrl.searchParams.has('error')) return { kind: 'failed', reason: 'denied' };
      const cfg = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(
          cfg,
          callbackUrl,
          {
            pkceCodeVerifier: attempt.codeVerifier,
            expectedState: attempt.state,
            expectedNonce: attempt.nonce,
            idTokenExpected: true,
          },
          { redirect_uri: redirectUri() },
        );
      } catch (err) {
        log.warn({ err }, 'sign-in callback refused');
        return { kind: 'failed', reason: 'provider' };
      }
      const claims = tokens.claims()!;
      const login = String(claims[config.OIDC_LOGIN_CLAIM] ?? '');
      const personId = login ? await personIdByLogin(db, login) : null;
      const idToken = tokens.id_token ?? null;
      if (!personId) {
        log.info(
          { issuer: cfg.serverMetadata().issuer },
          'sign-in by a person unknown to the directory',
        );
        return {
          kind: 'unknown',
          login,
          providerLogout: providerLogoutUrl(cfg, idToken),
        };
      }
      const session = await createWebSession(db, {
        personId,
        idToken,
        ttlSeconds: sessionTtlSeconds,
      });
      log.info({ person: personId }, 'signed in');
      return { kind: 'signed-in', ...session, returnTo: attempt.returnTo };
    },

    async openSession(personId, until) {
      const left = Math.floor((until.getTime() - Date.now()) / 1000);
      const session = await createWebSession(db, {
        personId,
        idToken: null,
        ttlSeconds: Math.max(1, Math.min(sessionTtlSeconds, left)),
      });
      log.info({ person: personId }, 'signed in through a personal link');
      return session;
    },

    async session(secret) {
      return findSessionUser(db, secret);
    },

    async logout(secret) {
      const ended = await deleteWebSession(db, secret);
      if (!ended) return '/';
      try {
        return providerLogoutUrl(await configuration(), ended.idToken) ?? '/';
      } catch (err) {
        log.warn({ err }, 'provider unreachable at sign-out; the Préau session is closed');
        return '/';
      }
    },
  };

  function providerLogoutUrl(cfg: oidc.Configuration, idToken: string | null): string | null {
    if (!cfg.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = {
      post_logout_redirect_uri: new URL('/', publicUrl).href,
      client_id: clientId,
    };
    if (idToken) params.id_token_hint = idToken;
    return oidc.buildEndSessionUrl(cfg, params).href;
  }
}
