import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The Gravatar hash of an email address: SHA-256 of the trimmed, lower-cased address, as hex.
 * Only this hash ever leaves the page; the address stays in the browser.
 *
 * Computed with @noble/hashes rather than `crypto.subtle`, because browsers only offer
 * `crypto.subtle` in secure contexts and the S3 website endpoint is plain HTTP.
 *
 * @returns `undefined` for an empty address
 */
export function gravatarHash(email: string): string | undefined {
  const normalised = email.trim().toLowerCase();
  if (normalised === '') return undefined;
  return bytesToHex(sha256(utf8ToBytes(normalised)));
}

/**
 * The image URL for a hash. `d=404` makes Gravatar answer 404 for addresses it does not know, so
 * the page's `error` handler can show the initials avatar instead of Gravatar's generic one.
 */
export function gravatarUrl(hash: string, sizePx: number): string {
  return `https://www.gravatar.com/avatar/${hash}?s=${sizePx}&d=404`;
}
