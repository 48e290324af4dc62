import contract from '../../contract/contract.json' with { type: 'json' };

/** What `config.js` (rendered from `frontend/config.js.tftpl`) tells the page. */
export interface ChatConfig {
  /** The API Gateway stage URL, `wss://…/prod` on AWS, `ws://127.0.0.1:…` locally. */
  readonly websocketUrl: string;
  /** The longest message the backend accepts. */
  readonly maxMessageLength: number;
  /** How people sign in; `undefined` in the open chat (`auth_mode = "none"`). */
  readonly auth?: AuthConfig;
}

/** Sign-in (`auth_mode` `cognito` or `oidc`), from `config.js`'s `auth` key. */
export interface AuthConfig {
  /** Which kind of issuer: it decides how sender ids are made and how signing out works. */
  readonly mode: 'cognito' | 'oidc';
  /**
   * The OpenID Connect issuer, exactly as its tokens' `iss` says (the server checks it so): its
   * discovery document is at `<issuer>/.well-known/openid-configuration`.
   */
  readonly issuer: string;
  /** The app client the page signs in as; the ID tokens' audience. */
  readonly clientId: string;
  /** The scopes to ask for, space-separated; always with `openid`. */
  readonly scope: string;
  /**
   * What the server hashes with a subject into its sender id (`cognito:<user pool id>`, or the
   * issuer), so the page can tell its own messages.
   */
  readonly senderIdNamespace: string;
}

declare global {
  interface Window {
    /** Set by `config.js`, which the page loads before its bundle. */
    CHAT_CONFIG?: unknown;
  }
}

/** `config.js` is present but says something the page cannot work with. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The scopes asked for when `config.js` names none: the ID token and the name claims. */
export const defaultScope = 'openid profile';

/**
 * Reads and checks `window.CHAT_CONFIG`. A missing or malformed URL or sign-in setting is a
 * deployment error the page cannot work around, so it throws; a missing limit falls back to the
 * backend's default.
 *
 * @throws ConfigError naming what is wrong
 */
export function readChatConfig(raw: unknown): ChatConfig {
  const config = isRecord(raw) ? raw : {};
  const { websocketUrl, maxMessageLength } = config;
  if (typeof websocketUrl !== 'string' || !/^wss?:\/\/./.test(websocketUrl)) {
    throw new ConfigError('config.js does not define a ws:// or wss:// websocketUrl');
  }
  const limit =
    typeof maxMessageLength === 'number' &&
    Number.isInteger(maxMessageLength) &&
    maxMessageLength > 0
      ? maxMessageLength
      : contract.limits.maxMessageLength;
  // Absent, or null as Terraform writes an unset optional value: the open chat.
  if (config.auth === undefined || config.auth === null) {
    return { websocketUrl, maxMessageLength: limit };
  }
  return { websocketUrl, maxMessageLength: limit, auth: readAuthConfig(config.auth) };
}

const authKeys = new Set(['mode', 'issuer', 'clientId', 'scope']);

/**
 * Checks `config.js`'s `auth`, strictly: a sign-in setting the page would misread (a misspelt
 * key, a plain-http issuer on the internet) must stop it, never leave it half signed in.
 *
 * @throws ConfigError naming the key that is wrong
 */
export function readAuthConfig(raw: unknown): AuthConfig {
  if (!isRecord(raw)) throw new ConfigError('config.js: auth must be an object');
  const unknown = Object.keys(raw).filter((key) => !authKeys.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(`config.js: auth has unknown keys: ${unknown.join(', ')}`);
  }
  const { mode, issuer, clientId, scope } = raw;
  if (mode !== 'cognito' && mode !== 'oidc') {
    throw new ConfigError('config.js: auth.mode must be "cognito" or "oidc"');
  }
  if (typeof issuer !== 'string' || !isIssuerUrl(issuer)) {
    throw new ConfigError(
      'config.js: auth.issuer must be an https URL (plain http only on loopback), without query or fragment',
    );
  }
  if (typeof clientId !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(clientId)) {
    throw new ConfigError('config.js: auth.clientId must be 1 to 256 printable characters');
  }
  const scopes = scope === undefined ? defaultScope : scope;
  if (
    typeof scopes !== 'string' ||
    !/^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scopes) ||
    !scopes.split(' ').includes('openid')
  ) {
    throw new ConfigError(
      'config.js: auth.scope must be space-separated scopes that include openid',
    );
  }
  return {
    mode,
    issuer,
    clientId,
    scope: scopes,
    senderIdNamespace: mode === 'cognito' ? cognitoNamespace(issuer) : issuer,
  };
}

/**
 * The namespace of a Cognito user pool's sender ids, `cognito:<user pool id>`, from its issuer
 * URL (`https://cognito-idp.<region>.amazonaws.com/<user pool id>`).
 */
function cognitoNamespace(issuer: string): string {
  const pool =
    /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\1_[0-9A-Za-z]+)$/.exec(
      issuer,
    )?.[2];
  if (pool === undefined) {
    throw new ConfigError(
      'config.js: with auth.mode "cognito", auth.issuer must be https://cognito-idp.<region>.amazonaws.com/<user pool id>',
    );
  }
  return `cognito:${pool}`;
}

/**
 * An issuer the page may sign in with: https, or plain http on the loopback interface (the local
 * stack's issuer), as the server's authorizer accepts them; no query, fragment or credentials.
 */
function isIssuerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return false;
  }
  // `new URL` accepts `https://x?` with an empty query: the issuer must be exactly what it says.
  if (/[?#]/.test(value)) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The longest display name the backend accepts. */
export const maxSenderNameLength: number = contract.limits.maxSenderNameLength;
