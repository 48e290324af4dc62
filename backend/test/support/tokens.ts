/**
 * An identity provider made in the test: an RSA key pair from node:crypto, its JWKS, and JWTs
 * signed with it (or forged in the ways attackers forge them), so every refusal is tested without
 * any network.
 */
import type { KeyObject } from 'node:crypto';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

/** The test issuer and audience. */
export const ISSUER = 'https://issuer.example.com';
export const AUDIENCE = 'chat-client';
/** A Cognito user pool and its issuer. */
export const USER_POOL_ID = 'eu-west-1_TestPool1';
export const COGNITO_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`;

/** A signing key and the JWKS that publishes its public half. */
export interface TestKeys {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
}

/**
 * A fresh RSA key pair.
 * @param kid - its key id
 * @returns the keys and their JWKS
 */
export function makeKeys(kid = 'test-key-1'): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey,
    publicKey,
    jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
  };
}

const base64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The current time in whole seconds, as JWT claims hold it. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Valid claims for the test issuer, a user named Ada, valid for an hour.
 * @param overrides - claims to change or add; `undefined` removes one
 * @returns the claims
 */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const all: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-ada',
    name: 'Ada Lovelace',
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
  for (const [key, value] of Object.entries(all)) if (value === undefined) delete all[key];
  return all;
}

/**
 * Signs a JWT with RS256.
 * @param keys - the signing key (its kid goes in the header)
 * @param payload - the claims
 * @param header - header fields to change or add
 * @returns the compact JWT
 */
export function signToken(
  keys: Pick<TestKeys, 'kid' | 'privateKey'>,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT', kid: keys.kid, ...header })}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), keys.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * An unsigned token (`alg: none`), as RFC 7519 allows and no verifier should accept.
 * @param kid - the key id to claim
 * @param payload - the claims
 * @returns the compact JWT with an empty signature
 */
export function unsignedToken(kid: string, payload: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(payload)}.`;
}

/**
 * The algorithm-confusion forgery: HS256 keyed with the issuer's public key, which a verifier
 * that lets the token choose its algorithm would accept.
 * @param keys - the issuer's keys (only the public one is used)
 * @param payload - the claims
 * @returns the forged JWT
 */
export function hmacForgery(keys: TestKeys, payload: Record<string, unknown>): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: keys.kid })}.${base64url(payload)}`;
  const secret = keys.publicKey.export({ format: 'pem', type: 'spki' });
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
