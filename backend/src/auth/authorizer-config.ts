/**
 * The authorizer's configuration: read from its environment once per container, validated and
 * frozen, so a wrong issuer or a missing audience fails the cold start, loudly, instead of
 * refusing every sign-in as if the tokens were bad.
 *
 * Identity-provider URLs must be https. The one exception is a plain-http URL on the loopback
 * interface (127.0.0.0/8, ::1, `localhost`): the local stack's own OpenID Connect issuer. On
 * Lambda nothing listens there, so allowing it weakens nothing; any other http URL is refused.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import { ConfigError } from '../errors.ts';
import { parseAuthMode } from './auth-mode.ts';

const names = contract.environment;

/** Settings both sign-in modes share. */
interface CommonSettings {
  /** The audiences (client ids) a token may be issued to; at least one must match. */
  readonly audience: readonly string[];
  /** The claims the display name is taken from, in order. */
  readonly nameClaims: readonly string[];
}

/** A Cognito user pool's ID tokens. */
export interface CognitoSettings extends CommonSettings {
  readonly mode: 'cognito';
  /** e.g. `eu-west-1_AbCdEf123`: the issuer and the JWKS follow from it. */
  readonly userPoolId: string;
}

/** Any OpenID Connect issuer's ID tokens. */
export interface OidcSettings extends CommonSettings {
  readonly mode: 'oidc';
  /** The issuer, exactly as its tokens' `iss` claim says it. */
  readonly issuer: string;
  /** Where its signing keys are; undefined: read from the issuer's discovery document. */
  readonly jwksUri: string | undefined;
}

/** The authorizer's validated configuration. */
export type AuthorizerConfig = CognitoSettings | OidcSettings;

/** A Cognito user pool id: the Region, an underscore and the pool's own id. */
const USER_POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+$/;

/**
 * Reads and validates the authorizer's configuration.
 * @param env - the environment, usually `process.env`
 * @returns the frozen configuration
 * @throws ConfigError naming the variable that is missing or malformed
 */
export function loadAuthorizerConfig(
  env: Readonly<Record<string, string | undefined>>,
): AuthorizerConfig {
  const mode = parseAuthMode(env[names.authMode]);
  if (mode === 'none') {
    throw new ConfigError(
      `${names.authMode} must be cognito or oidc for the authorizer: with none, attach no authorizer`,
    );
  }
  const audience = listed(env[names.authAudience]);
  if (audience.length === 0) {
    throw new ConfigError(
      `${names.authAudience} must name the app client id (or several, comma-separated)`,
    );
  }
  const nameClaims = listed(env[names.authNameClaims]);
  const common = {
    audience: Object.freeze(audience),
    nameClaims: Object.freeze(nameClaims.length > 0 ? nameClaims : [...contract.auth.nameClaims]),
  };
  if (mode === 'cognito') {
    const userPoolId = env[names.authUserPoolId]?.trim() ?? '';
    if (!USER_POOL_ID.test(userPoolId)) {
      throw new ConfigError(
        `${names.authUserPoolId} must be a Cognito user pool id such as eu-west-1_AbCdEf123`,
      );
    }
    return Object.freeze({ mode, userPoolId, ...common });
  }
  const issuer = identityProviderUrl(names.authIssuer, env[names.authIssuer]);
  if (issuer === undefined) throw new ConfigError(`${names.authIssuer} must be set for oidc`);
  return Object.freeze({
    mode,
    issuer,
    jwksUri: identityProviderUrl(names.authJwksUri, env[names.authJwksUri]),
    ...common,
  });
}

/**
 * Whether a URL is one the authorizer may fetch keys from: https, or http on loopback.
 * @param url - the URL
 * @returns true when it may be fetched
 */
export function isAllowedIdentityProviderUrl(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/**
 * Whether a URL's host is the loopback interface.
 * @param hostname - `URL.hostname` (IPv6 in brackets)
 * @returns true for 127.0.0.0/8, [::1] and localhost
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function identityProviderUrl(name: string, raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an https URL`);
  }
  if (!isAllowedIdentityProviderUrl(url) || url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${name} must be an https URL (plain http only on the loopback interface, for the local stack)`,
    );
  }
  return value;
}

function listed(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
