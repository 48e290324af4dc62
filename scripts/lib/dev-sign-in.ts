/**
 * Signing a dev user in to the local stack's OpenID Connect issuer (`npm start -- --auth`) without
 * a browser: the authorization code flow with PKCE, as the page runs it, driven over HTTP. The
 * issuer mints the ID token itself, signed with its own key, so the token is one the local
 * authorizer accepts, exactly like the page's. `npm run dev-token` and the tests use it.
 *
 * The facts the issuer and its clients share are here too: the public client's id, the issuer's
 * default port, and the redirect URI kept for programs (the issuer's own `/dev-token`, where no
 * page is needed: the code is read from the redirect, never followed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { CommandError } from './command.ts';

/** The chat page's public client at the local issuer: the ID tokens' `aud`. */
export const LOCAL_CLIENT_ID = 'awsome-chat-local';

/** Where `npm start -- --auth` runs the issuer by default (`--issuer-port`). */
export const LOCAL_ISSUER_PORT = 3002;

/** The issuer `npm start -- --auth` runs by default. */
export const DEFAULT_LOCAL_ISSUER = `http://127.0.0.1:${LOCAL_ISSUER_PORT}`;

/** The path of the issuer's one-click dev login form, under `/interaction/<uid>`. */
export const DEV_LOGIN_PATH = 'login';

/**
 * The redirect URI programs sign in with: the issuer's own, registered for the page's client.
 * @param issuer - the issuer URL
 * @returns `<issuer>/dev-token`
 */
export function programRedirectUri(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/dev-token`;
}

/** What a sign-in gives. */
export interface DevTokens {
  readonly idToken: string;
  /** Seconds the access token (and the ID token, at the local issuer) is valid for. */
  readonly expiresIn: number;
}

/** The most redirects a sign-in follows before it gives up. */
const MAX_REDIRECTS = 10;

/**
 * Signs `user` in at the local issuer and returns its ID token.
 * @param issuer - the issuer URL, e.g. `http://127.0.0.1:3002`
 * @param user - a dev user's name, e.g. `alice`
 * @returns the tokens
 * @throws CommandError when no issuer answers at `issuer`, the issuer knows no such user, or the
 *   flow goes wrong
 */
export async function signInDevUser(issuer: string, user: string): Promise<DevTokens> {
  const discovery = await discover(issuer);
  const redirectUri = programRedirectUri(issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(discovery.authorizationEndpoint);
  authorize.search = new URLSearchParams({
    client_id: LOCAL_CLIENT_ID,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
  }).toString();

  const cookies = new Map<string, string>();
  let location = await redirectOf(await request(authorize, { cookies }), authorize);
  for (let hops = 0; !location.href.startsWith(`${redirectUri}?`); hops++) {
    if (hops >= MAX_REDIRECTS) throw flowError('it redirected too often');
    const interaction = /^\/interaction\/([\w-]+)$/.exec(location.pathname);
    const response =
      interaction === null
        ? await request(location, { cookies })
        : await request(new URL(`${location.pathname}/${DEV_LOGIN_PATH}`, location), {
            cookies,
            form: { user },
          });
    if (interaction !== null && response.status === 400) {
      throw new CommandError(`${(await response.text()).trim()}`);
    }
    location = await redirectOf(response, location);
  }
  const answer = location.searchParams;
  const code = answer.get('code');
  if (answer.get('state') !== state || code === null) {
    throw flowError(`the sign-in ended without a code (${answer.get('error') ?? 'no error'})`);
  }
  const tokens = await request(new URL(discovery.tokenEndpoint), {
    cookies: new Map(),
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: LOCAL_CLIENT_ID,
      code_verifier: verifier,
    },
  });
  const body = (await tokens.json().catch(() => ({}))) as Record<string, unknown>;
  if (!tokens.ok || typeof body.id_token !== 'string') {
    throw flowError(`the token endpoint answered ${tokens.status} ${String(body.error ?? '')}`);
  }
  return {
    idToken: body.id_token,
    expiresIn: typeof body.expires_in === 'number' ? body.expires_in : 0,
  };
}

interface Discovery {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  let url: URL;
  try {
    url = new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  } catch {
    throw new CommandError(`${issuer} is not a URL: pass the issuer as http://HOST:PORT`);
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new CommandError(
      `no local issuer answers at ${issuer}: start the chat with \`npm start -- --auth\` ` +
        '(or pass --issuer with the URL it printed)',
    );
  }
  const document = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const { authorization_endpoint: authorization, token_endpoint: token } = document;
  if (!response.ok || typeof authorization !== 'string' || typeof token !== 'string') {
    throw new CommandError(
      `${issuer} is not an OpenID Connect issuer (no discovery document): is it the URL ` +
        '`npm start -- --auth` printed?',
    );
  }
  return { authorizationEndpoint: authorization, tokenEndpoint: token };
}

/** One request, with the cookies kept so far; redirects are not followed. */
async function request(
  url: URL,
  options: { readonly cookies: Map<string, string>; readonly form?: Record<string, string> },
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.cookies.size > 0) {
    headers.cookie = [...options.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url, {
    method: options.form === undefined ? 'GET' : 'POST',
    headers,
    body: options.form === undefined ? undefined : new URLSearchParams(options.form).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair = ''] = cookie.split(';');
    const separator = pair.indexOf('=');
    if (separator > 0) options.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  return response;
}

async function redirectOf(response: Response, base: URL): Promise<URL> {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || location === null) {
    const text = (await response.text().catch(() => '')).slice(0, 200);
    throw flowError(`the issuer answered ${response.status} where a redirect was due ${text}`);
  }
  return new URL(location, base);
}

function flowError(what: string): CommandError {
  return new CommandError(`the sign-in at the local issuer failed: ${what.trim()}`);
}
