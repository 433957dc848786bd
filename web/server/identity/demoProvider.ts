/// <reference path="../types/oidc-provider.d.ts" />
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@preau/protocol/server';
import type { DemoAccount } from '@preau/storage';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { html, providerPage, Raw } from './html';
import { memoryAdapterClass } from './memoryAdapter';

/** Where the demo provider lives on the one port. */
export const DEMO_PROVIDER_PATH = '/oidc';

/** What the demo provider needs to know about the relying party and the accounts. */
export interface DemoProviderOptions {
  /** Préau's public origin, e.g. `http://127.0.0.1:3000`. */
  publicUrl: string;
  clientId: string;
  clientSecret: string;
  /** The accounts listed on « Se connecter en tant que… ». */
  accounts(): Promise<DemoAccount[]>;
  /** Claims of a login (name…), or null when the directory does not know it. */
  claimsOf(login: string): Promise<Record<string, string> | null>;
  /** Keys that must outlive a restart (ID token signing, cookies), created once. */
  secret<T>(name: string, create: () => Promise<T>): Promise<T>;
  log: Logger;
}

/** The embedded demo identity provider: a real oidc-provider, mounted under /oidc. */
export interface DemoProvider {
  issuer: string;
  /** Handles a request whose path starts with /oidc. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Creates the demo provider: standard OpenID Connect (authorization code,
 * PKCE, RP-initiated logout) whose only login page lists the demo accounts.
 */
export async function createDemoProvider(opts: DemoProviderOptions): Promise<DemoProvider> {
  const base = new URL(opts.publicUrl);
  const issuer = new URL(DEMO_PROVIDER_PATH, base).href;
  const signing = await opts.secret('demo-oidc-signing-key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return {
      ...(await exportJWK(privateKey)),
      kid: `demo-${Date.now().toString(36)}`,
      alg: 'RS256',
      use: 'sig',
    };
  });
  const cookieKey = await opts.secret('demo-oidc-cookie-key', async () =>
    randomBytes(32).toString('base64url'),
  );
  const provider = new Provider(issuer, {
    adapter: memoryAdapterClass(),
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [new URL('/auth/callback', base).href],
        post_logout_redirect_uris: [new URL('/', base).href],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [signing] },
    cookies: { keys: [cookieKey] },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => {
      const claims = (await opts.claimsOf(sub)) ?? {};
      return { accountId: sub, claims: () => ({ ...claims, sub, preferred_username: sub }) };
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) =>
        `${DEMO_PROVIDER_PATH}/interaction/${interaction.uid}`,
    },
    loadExistingGrant,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    renderError,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 900,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  });
  // Préau's server sets the forwarded headers from PUBLIC_URL below.
  provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, err: unknown) =>
    opts.log.error({ err }, 'demo provider error'),
  );
  const callback = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(path);
    if (!match) return false;
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const form = new URLSearchParams(await readBody(req));
      // Only the demo accounts: never any login of the directory (an admin's, say).
      const login = (form.get('login') ?? '').trim();
      if (!(await opts.accounts()).some((a) => a.login === login)) {
        send(
          res,
          400,
          await chooserPage(details.uid, opts, 'Choisissez l’un des comptes de démonstration.'),
        );
        return true;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: login } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return true;
    }
    if (details.prompt.name === 'consent') {
      // First-party client: consent is implied (loadExistingGrant grants it).
      const grant = new provider.Grant({
        clientId: String(details.params.client_id),
        accountId: details.session?.accountId ?? '',
      });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        {
          mergeWithLastSubmission: true,
        },
      );
      return true;
    }
    send(res, 200, await chooserPage(details.uid, opts));
    return true;
  };

  return {
    issuer,
    handle(req, res) {
      const url = req.url ?? '/';
      const path = url.slice(DEMO_PROVIDER_PATH.length) || '/';
      // Mounted like an express sub-app: the provider sees its own paths and
      // learns the mount point from originalUrl.
      Object.assign(req, { originalUrl: url });
      req.url = path;
      req.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
      req.headers['x-forwarded-host'] = base.host;
      interaction(req, res, path.split('?')[0]!).then(
        (handled) => {
          if (!handled) callback(req, res);
        },
        (err: unknown) => {
          opts.log.warn({ err }, 'demo provider interaction failed');
          if (!res.headersSent)
            send(res, 400, errorPage('Cette demande de connexion a expiré ou n’est plus valable.'));
        },
      );
    },
  };
}

async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
  if (grantId) return oidc.provider.Grant.find(grantId);
  const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session?.accountId ?? '' });
  grant.addOIDCScope('openid profile');
  await grant.save();
  oidc.session?.grantIdFor(clientId, grant.jti);
  return grant;
}

async function chooserPage(uid: string, opts: DemoProviderOptions, problem?: string) {
  const accounts = await opts.accounts();
  const action = `${DEMO_PROVIDER_PATH}/interaction/${uid}/login`;
  const groups: Array<{ title: string; list: DemoAccount[] }> = [
    {
      title: 'Personnels, parents et administration',
      list: accounts.filter((a) => a.group === 'staff'),
    },
    { title: 'Enseignants', list: accounts.filter((a) => a.group === 'teacher') },
  ];
  const classes = [
    ...new Set(accounts.filter((a) => a.group === 'student').map((a) => a.className)),
  ];
  for (const c of classes)
    groups.push({ title: `Élèves de ${c}`, list: accounts.filter((a) => a.className === c) });
  const list = (l: DemoAccount[]) =>
    html`<ul class="accounts">${l.map(
      (a) =>
        html`<li><button type="submit" name="login" value="${a.login}"><span class="who">${a.name}</span><span class="what">${a.login} — ${a.description}</span></button></li>`,
    )}</ul>`;
  return providerPage(
    'Se connecter en tant que…',
    html`<h1>Se connecter en tant que…</h1>
<p class="note">Ce fournisseur d’identité sert à la démonstration : il ne demande aucun mot de passe. Il est désactivé dès qu’un fournisseur d’identité réel est configuré.</p>
${problem ? html`<p role="alert">${problem}</p>` : ''}
<form method="post" action="${action}">
${groups
  .filter((g) => g.list.length > 0)
  .map(
    (g, i) =>
      html`<section aria-labelledby="g${i}"><h2 id="g${i}">${g.title}</h2>${list(g.list)}</section>`,
  )}
</form>`,
  );
}

async function logoutSource(ctx: KoaContextWithOIDC, form: string) {
  ctx.type = 'html';
  ctx.body = providerPage(
    'Se déconnecter',
    html`<h1>Se déconnecter</h1>
<p>Vous quittez Préau. Voulez-vous aussi fermer votre session sur le fournisseur d’identité ?</p>
${rawHtml(form)}
<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout" class="primary">Se déconnecter</button></p>
<p><button type="submit" form="op.logoutForm">Rester connecté au fournisseur</button></p>`,
  );
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
  ctx.type = 'html';
  ctx.body = providerPage(
    'Déconnecté',
    html`<h1>Vous êtes déconnecté</h1><p><a href="/">Retour à Préau</a></p>`,
  );
}

async function renderError(ctx: KoaContextWithOIDC, out: { error?: string }) {
  ctx.type = 'html';
  ctx.body = errorPage(`Erreur du fournisseur d’identité : ${out.error ?? 'inconnue'}.`);
}

function errorPage(message: string) {
  return providerPage(
    'Erreur',
    html`<h1>Connexion impossible</h1><p>${message}</p><p><a href="/">Retour à Préau</a></p>`,
  );
}

/** The provider's own form markup (already escaped by oidc-provider). */
function rawHtml(text: string): Raw {
  return new Raw(text);
}

function send(res: ServerResponse, status: number, body: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
