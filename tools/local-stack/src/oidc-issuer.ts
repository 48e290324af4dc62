/**
 * The local stand-in for an identity provider (`npm start -- --auth`): a real OpenID Connect
 * issuer, oidc-provider (an OpenID-certified implementation), on this machine only, with the dev
 * users of dev-users.ts. It is configured as the chat needs an issuer in the `oidc` mode:
 *
 * - one public client, the chat page (`token_endpoint_auth_method: none`), with the authorization
 *   code flow and PKCE (S256, required for public clients), its redirect URIs the page's origins;
 * - ID tokens signed RS256 with a key generated at start (or handed in by a test), whose `kid` the
 *   issuer's JWKS lists, carrying `name` and `preferred_username` (the profile scope's claims go
 *   into the ID token, not only to the userinfo endpoint), valid for an hour;
 * - a one-click login page of its own instead of a password form, and no consent page: the chat
 *   page is the issuer's only client, and is granted `openid profile` on sign-in;
 * - refresh tokens for the page (rotated at every use, as for any public client), so it can renew
 *   its ID token before it expires;
 * - sign-out (RP-initiated logout) back to the page.
 *
 * It serves plain http: the authorizer fetches the keys of an http issuer only on loopback, so
 * this issuer never listens elsewhere.
 */
import { generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import {
  DEV_LOGIN_PATH,
  LOCAL_CLIENT_ID,
  programRedirectUri,
} from '../../../scripts/lib/dev-sign-in.ts';
import { DEV_USERS, type DevUser, devUser } from './dev-users.ts';
import { closeServer, listen } from './listen.ts';
import { urlHost } from './network.ts';

/** Where the issuer listens. */
export interface IssuerAddress {
  /** A loopback address. */
  readonly host: string;
  /** 0 = a free port. */
  readonly port: number;
}

/** How the issuer serves. */
export interface IssuerSettings {
  /** The chat page's origins (e.g. `http://127.0.0.1:3000`): its redirect URIs are `<origin>/`. */
  readonly pageOrigins: readonly string[];
  /** The private signing key (an RSA JWK); generated when left out. Tests hand one in. */
  readonly signingKey?: JsonWebKey;
  /** How long an ID token is valid. Default an hour. */
  readonly idTokenSeconds?: number;
}

/** A running issuer. */
export interface LocalIssuer {
  /** The issuer URL, as the tokens' `iss` says it, e.g. `http://127.0.0.1:3002`. */
  readonly issuer: string;
  /** The chat page's client id: the tokens' `aud`. */
  readonly clientId: string;
  /** Where its public keys are. */
  readonly jwksUri: string;
  /** The `kid` of its signing key. */
  readonly keyId: string;
  stop(): Promise<void>;
}

/**
 * The issuer's port, listened on before the issuer serves: its URL goes into the page's
 * `config.js` before the page's own port, which the issuer needs, is known.
 */
export interface ListeningIssuer {
  /** The issuer URL. */
  readonly issuer: string;
  /** Starts answering (the stack calls it before it tells anyone the URL). */
  serve(settings: IssuerSettings): LocalIssuer;
  stop(): Promise<void>;
}

const ONE_HOUR = 3600;

/**
 * oidc-provider's own in-memory store, which is what a dev issuer wants (its sessions last as long
 * as `npm start`), under a name of its own: handed in as the default class, it warns at every
 * start that production needs a database.
 */
class DevSessionStore extends MemoryAdapter {}

/**
 * Listens on the issuer's port; {@link ListeningIssuer.serve} then starts the issuer.
 * @param address - where to listen
 * @returns the issuer URL and what starts it
 * @throws PortInUseError when the port is taken
 */
export async function listenLocalIssuer(address: IssuerAddress): Promise<ListeningIssuer> {
  const server = createServer();
  const port = await listen(server, address.host, address.port, '--issuer-port');
  const issuer = `http://${urlHost(address.host)}:${port}`;
  const stop = (): Promise<void> => closeServer(server);
  return {
    issuer,
    stop,
    serve(settings) {
      const signingKey = settings.signingKey ?? generateSigningKey();
      const keyId = typeof signingKey.kid === 'string' ? signingKey.kid : 'local-issuer';
      const provider = new Provider(
        issuer,
        configuration(issuer, settings, { ...signingKey, kid: keyId } as JWK),
      );
      const providerCallback = provider.callback();
      server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        const login = interactionPath(request.url);
        if (login === undefined) {
          providerCallback(request, response);
          return;
        }
        serveLogin(provider, request, response, login).catch(() => {
          if (!response.headersSent) sendText(response, 500, 'The dev login failed.');
          else response.destroy();
        });
      });
      return { issuer, clientId: LOCAL_CLIENT_ID, jwksUri: `${issuer}/jwks`, keyId, stop };
    },
  };
}

/**
 * Starts the issuer in one step (when the page's origins are known already).
 * @param options - where it listens, the page's origins, the key
 * @returns the running issuer
 * @throws PortInUseError when the port is taken
 */
export async function startLocalIssuer(
  options: IssuerAddress & IssuerSettings,
): Promise<LocalIssuer> {
  const listening = await listenLocalIssuer(options);
  try {
    return listening.serve(options);
  } catch (error) {
    await listening.stop();
    throw error;
  }
}

/** A new RSA key for RS256, as a private JWK with a `kid`. */
function generateSigningKey(): JsonWebKey & { kid: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('base64url') };
}

function configuration(issuer: string, options: IssuerSettings, key: JWK): Configuration {
  const pageRedirects = options.pageOrigins.map((origin) => `${origin}/`);
  const idTokenSeconds = options.idTokenSeconds ?? ONE_HOUR;
  return {
    adapter: DevSessionStore,
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        client_name: 'AWSome Chat (local)',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [...pageRedirects, programRedirectUri(issuer)],
        post_logout_redirect_uris: pageRedirects,
      },
    ],
    jwks: { keys: [{ ...key, alg: 'RS256', use: 'sig' }] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    // The name the chat shows must be in the ID token, which the authorizer reads, not only at
    // the userinfo endpoint.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const user = devUser(sub);
      return user === undefined ? undefined : account(user);
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The page is the issuer's own and only client: it is granted what it asks of the profile
    // without a consent page.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId !== undefined) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    // The page renews its token with a refresh token, which needs no offline_access here.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // The page calls the token endpoint from its own origins, and only those.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === LOCAL_CLIENT_ID && options.pageOrigins.includes(origin),
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: {
      AccessToken: idTokenSeconds,
      AuthorizationCode: 60,
      IdToken: idTokenSeconds,
      Interaction: ONE_HOUR,
      Session: 14 * 24 * ONE_HOUR,
      Grant: 14 * 24 * ONE_HOUR,
      RefreshToken: 14 * 24 * ONE_HOUR,
    },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `The local issuer refused the request: ${out.error}: ${out.error_description ?? ''}`;
    },
  };
}

function account(user: DevUser): {
  accountId: string;
  claims: () => { sub: string; name: string; preferred_username: string };
} {
  return {
    accountId: user.sub,
    claims: () => ({ sub: user.sub, name: user.name, preferred_username: user.username }),
  };
}

/** `{ uid, login }` for `/interaction/<uid>` (the page) and `/interaction/<uid>/login`. */
function interactionPath(url: string | undefined): { uid: string; login: boolean } | undefined {
  const path = (url ?? '').split('?')[0] ?? '';
  const match = new RegExp(`^/interaction/([\\w-]+)(/${DEV_LOGIN_PATH})?$`).exec(path);
  return match?.[1] === undefined ? undefined : { uid: match[1], login: match[2] !== undefined };
}

/** The one-click login: a page of the dev users, and the form it posts. */
async function serveLogin(
  provider: Provider,
  request: IncomingMessage,
  response: ServerResponse,
  path: { uid: string; login: boolean },
): Promise<void> {
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await provider.interactionDetails(request, response);
  } catch {
    request.resume();
    sendText(
      response,
      400,
      'This sign-in has expired or is unknown: start it again from the chat.',
    );
    return;
  }
  if (details.uid !== path.uid) {
    request.resume();
    sendText(response, 400, 'This sign-in is not the one in progress: start it again.');
    return;
  }
  if (!path.login) {
    if (request.method !== 'GET') {
      request.resume();
      sendText(response, 405, 'Method not allowed.');
      return;
    }
    sendLoginPage(response, path.uid);
    return;
  }
  if (request.method !== 'POST') {
    request.resume();
    sendText(response, 405, 'Method not allowed.');
    return;
  }
  const form = new URLSearchParams(await readBody(request));
  const user = devUser(form.get('user') ?? '');
  if (user === undefined) {
    const names = DEV_USERS.map((known) => known.username).join(', ');
    sendText(
      response,
      400,
      `unknown dev user '${form.get('user') ?? ''}': the local issuer knows ${names}`,
    );
    return;
  }
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId: user.sub } },
    { mergeWithLastSubmission: false },
  );
}

/** The login page: a button per dev user. Nothing user-supplied is in it. */
function sendLoginPage(response: ServerResponse, uid: string): void {
  const buttons = DEV_USERS.map(
    (user) =>
      `<button type="submit" name="user" value="${user.username}">${user.name} ` +
      `<small>(${user.username})</small></button>`,
  ).join('\n');
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: AWSome Chat (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem;cursor:pointer}
small{color:#555}</style></head>
<body><h1>Sign in</h1>
<p>The local stack's dev users sign in with one click. They exist on this machine only.</p>
<form method="post" action="/interaction/${uid}/${DEV_LOGIN_PATH}">
${buttons}
</form></body></html>
`;
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  response.end(body);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // A login form is a few bytes; anything much larger is not one.
      if (size > 4096) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
