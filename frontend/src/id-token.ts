/**
 * What the page reads from its own ID token: when it expires, whose it is, and the name the
 * server will show. The page never checks the token's signature (the server does, at every
 * handshake); it only needs the claims to renew in time and to know who it is. Pure.
 */
import contract from '../../contract/contract.json' with { type: 'json' };
import { normaliseText, senderNameTextProblem } from '../../contract/text-rules.ts';

/** The claims of an ID token the page relies on. */
export interface IdTokenClaims {
  /** The subject: the issuer's id of the person. */
  readonly sub: string;
  /** When the token expires, in epoch milliseconds (its `exp`). */
  readonly expiresAtMs: number;
  /** When it was issued, in epoch milliseconds (its `iat`), if it says. */
  readonly issuedAtMs: number | undefined;
  /** Every claim, as the token carries them. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Reads the claims of a compact JWT (`header.payload.signature`), without checking anything but
 * their shape.
 *
 * @returns `undefined` when it is not a JWT with a string `sub` and a numeric `exp`
 */
export function readIdToken(token: string): IdTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(decodeBase64Url(parts[1]));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  const { sub, exp, iat } = claims as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || !isEpochSeconds(exp)) return undefined;
  return {
    sub,
    expiresAtMs: exp * 1000,
    issuedAtMs: isEpochSeconds(iat) ? iat * 1000 : undefined,
    claims: claims as Record<string, unknown>,
  };
}

/**
 * Whether a token is still good for a handshake at `nowMs`: the server must find it unexpired, so
 * it has to outlive the handshake by `marginMs` (which also absorbs a clock a little off).
 */
export function isTokenFresh(token: IdTokenClaims, nowMs: number, marginMs: number): boolean {
  return token.expiresAtMs - nowMs > marginMs;
}

/** No renewal goes earlier than this before expiry: an ID token usually lives an hour. */
const maxRenewAheadMs = 5 * 60_000;

/**
 * When to renew a token: 5 minutes before it expires, or halfway through its life for a token that
 * lives less than 10 minutes, so a reconnect never has to wait for a renewal.
 */
export function renewalTimeMs(token: IdTokenClaims, nowMs: number): number {
  const issuedAtMs = token.issuedAtMs ?? nowMs;
  const lifetimeMs = Math.max(0, token.expiresAtMs - issuedAtMs);
  return token.expiresAtMs - Math.min(maxRenewAheadMs, lifetimeMs / 2);
}

/**
 * The name the server shows for a token, found as the server finds it (by default; a deployment
 * may list other claims): the first of `nameClaims` that holds a name the chat's text rules accept,
 * else `user-` and the first 6 characters of the sender id.
 */
export function verifiedName(
  claims: Readonly<Record<string, unknown>>,
  senderId: string,
  nameClaims: readonly string[] = contract.auth.nameClaims,
): string {
  for (const claim of nameClaims) {
    const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    if (typeof value !== 'string') continue;
    const name = normaliseText(value, 'senderName');
    if (name !== '' && senderNameTextProblem(name) === undefined) return name;
  }
  return `user-${senderId.slice(0, 6)}`;
}

function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** base64url (with or without padding) to the UTF-8 text it encodes. */
function decodeBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Error('not base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
