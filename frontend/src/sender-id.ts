import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** The server's sender ids are this many characters long. */
const senderIdLength = 16;

/**
 * The sender id the server gives a person, computed as the server does: the first 16 characters
 * of the base64url SHA-256 of `<namespace>\n<sub>` (the namespace is `cognito:<user pool id>` or
 * the issuer; see `AuthConfig.senderIdNamespace`). The page compares it with the `senderId` of
 * each message to recognise its own, from this tab and from the person's other tabs.
 *
 * Computed with the bundled @noble/hashes, as the Gravatar hash is: synchronous, and the same in
 * every context the page runs in.
 */
export function senderIdFor(namespace: string, subject: string): string {
  const digest = sha256(utf8ToBytes(`${namespace}\n${subject}`));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
    .slice(0, senderIdLength);
}
