/**
 * Who a verified token says the sender is, in the two forms the chat shows: a stable sender id
 * and a display name. Pure.
 *
 * The sender id is a short hash of the issuer and the subject, not the subject itself: the same
 * person gets the same id on every connection and device, two issuers can never collide on a
 * subject, and the room never learns the identity provider's own id of the user (a Cognito `sub`
 * is also its key in every other AWS service that knows the user). It is pseudonymous, not
 * anonymous: whoever knows a subject can compute its id.
 */
import { createHash } from 'node:crypto';
import { normaliseText, senderNameTextProblem } from '../../../contract/text-rules.ts';

/** 96 bits of SHA-256 in base64url: collisions are out of reach for any number of users. */
const SENDER_ID_LENGTH = 16;

/**
 * The sender id of a subject of an issuer.
 * @param issuer - the token's `iss`
 * @param subject - the token's `sub`
 * @returns 16 characters of `A-Z`, `a-z`, `0-9`, `-` and `_`
 */
export function senderIdFor(issuer: string, subject: string): string {
  // The newline cannot occur in an issuer URL, so no two pairs hash the same input.
  return createHash('sha256')
    .update(`${issuer}\n${subject}`)
    .digest('base64url')
    .slice(0, SENDER_ID_LENGTH);
}

/**
 * The display name of a verified sender: the first of `claims` that is a name the chat's text
 * rules accept (contract/text-rules.ts: at most 64 characters, nothing invisible, no control or
 * bidirectional override). A name the rules refuse (a self-chosen name in a pool with open sign-up
 * can be anything) is skipped, never shown; with none left, a neutral name from the sender id.
 * @param payload - the verified token's claims
 * @param claims - the claims to try, in order (e.g. `name`, `preferred_username`)
 * @param senderId - the sender's id, for the fallback
 * @returns the name, normalised as the chat normalises names
 */
export function displayNameFor(
  payload: Readonly<Record<string, unknown>>,
  claims: readonly string[],
  senderId: string,
): string {
  for (const claim of claims) {
    const value = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
    if (typeof value !== 'string') continue;
    const name = normaliseText(value, 'senderName');
    if (name !== '' && senderNameTextProblem(name) === undefined) return name;
  }
  return fallbackName(senderId);
}

/**
 * The name of a sender whose token holds no usable name.
 * @param senderId - the sender's id
 * @returns e.g. `user-3f9aC2`
 */
export function fallbackName(senderId: string): string {
  return `user-${senderId.slice(0, 6)}`;
}
