/**
 * Token verification with aws-jwt-verify, AWS's own library for Cognito user pools and any
 * OpenID Connect issuer: signature against the issuer's published keys (RS256/384/512, ES256/384/512
 * and EdDSA only, so `alg: none` and HMAC tokens are refused), issuer, audience (for Cognito, the
 * app client and `token_use: id`), expiry and not-before. Its keys (the JWKS) are fetched once and
 * cached for as long as the container lives, and fetched again only for a key id they lack (a key
 * rotation), at most once per 10 seconds.
 *
 * Two kinds of failure are kept apart: a token that is not valid (TokenRefused, answered 401),
 * and the authorizer failing to check it (the keys cannot be fetched), which is not the person's
 * fault and is answered as an error.
 */

import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksValidationError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthorizerConfig, OidcSettings } from './authorizer-config.ts';
import { discoverJwksUri, KeyFetchError } from './key-fetcher.ts';
import { senderIdFor } from './sender.ts';

/** A token that passed every check. */
export interface VerifiedToken {
  /** The sender id of its issuer and subject (sender.ts). */
  readonly senderId: string;
  /** Its claims. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A token that is not valid; `reason` is the check it failed, for the log (never the token). */
export class TokenRefused extends Error {
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(`token refused: ${reason}`, options);
    this.name = 'TokenRefused';
    this.reason = reason;
  }
}

/** Checks tokens. */
export interface TokenVerifier {
  /**
   * @param token - the compact JWT
   * @returns who it names
   * @throws TokenRefused when the token is not valid; anything else when it could not be checked
   */
  verify(token: string): Promise<VerifiedToken>;
}

interface JwtCheck {
  verify(token: string): Promise<JwtPayload>;
}

/**
 * Builds the verifier. Nothing is fetched here: the keys on the first token, then from the cache.
 * @param config - the authorizer's configuration
 * @param fetcher - how documents are fetched (key-fetcher.ts)
 * @returns the verifier; keep it at module scope, so its key cache outlives the invocation
 */
export function createTokenVerifier(config: AuthorizerConfig, fetcher: Fetcher): TokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher });
  // The subject's namespace for its sender id: for Cognito the pool, whose tokens come with
  // either of two issuer spellings (regional and global); otherwise the issuer.
  const namespace =
    config.mode === 'cognito' ? `cognito:${config.userPoolId}` : (config as OidcSettings).issuer;
  const check: () => Promise<JwtCheck> =
    config.mode === 'cognito'
      ? constant(
          CognitoJwtVerifier.create(
            { userPoolId: config.userPoolId, tokenUse: 'id', clientId: [...config.audience] },
            { jwksCache },
          ),
        )
      : oidcCheck(config, fetcher, jwksCache);

  return {
    async verify(token) {
      const verifier = await check();
      let payload: JwtPayload;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        if (isTokensFault(error)) throw new TokenRefused(refusalReason(error), { cause: error });
        throw error;
      }
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject === '') throw new TokenRefused('subject_missing');
      return { senderId: senderIdFor(namespace, subject), payload };
    },
  };
}

/**
 * The generic verifier, built once the keys' URL is known: configured, or discovered on the first
 * token. A failed discovery is tried again on the next token, never cached.
 */
function oidcCheck(
  config: OidcSettings,
  fetcher: Fetcher,
  jwksCache: SimpleJwksCache,
): () => Promise<JwtCheck> {
  const build = (jwksUri: string): JwtCheck =>
    JwtVerifier.create(
      { issuer: config.issuer, audience: [...config.audience], jwksUri },
      { jwksCache },
    );
  if (config.jwksUri !== undefined) return constant(build(config.jwksUri));
  let pending: Promise<JwtCheck> | undefined;
  return () => {
    pending ??= discoverJwksUri(config.issuer, fetcher).then(build, (error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function constant(check: JwtCheck): () => Promise<JwtCheck> {
  const ready = Promise.resolve(check);
  return () => ready;
}

/** Whether a verification error says the token is bad, not that the keys could not be had. */
function isTokensFault(error: unknown): boolean {
  return (
    error instanceof JwtBaseError &&
    !(error instanceof FetchError) &&
    !(error instanceof JwksValidationError) &&
    !(error instanceof KeyFetchError)
  );
}

/**
 * The check a token failed, by the library's error class (its errors all carry the name `Error`,
 * and a minified bundle renames the classes).
 */
const REFUSAL_REASONS: readonly (readonly [new (...args: never[]) => Error, string])[] = [
  [JwtParseError, 'malformed'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [JwtInvalidIssuerError, 'issuer'],
  // At verification, the library's one parameter error: the token's issuer is not configured.
  [ParameterValidationError, 'issuer'],
  [JwtInvalidAudienceError, 'audience'],
  [CognitoJwtInvalidClientIdError, 'audience'],
  [CognitoJwtInvalidTokenUseError, 'token_use'],
  [JwtInvalidSignatureAlgorithmError, 'algorithm'],
  [JwtInvalidSignatureError, 'signature'],
  [JwtWithoutValidKidError, 'unknown_key'],
  [KidNotFoundInJwksError, 'unknown_key'],
  [WaitPeriodNotYetEndedJwkError, 'unknown_key'],
];

function refusalReason(error: unknown): string {
  return REFUSAL_REASONS.find(([kind]) => error instanceof kind)?.[1] ?? 'invalid';
}
