/**
 * Server-assigned message ids: ULIDs (https://github.com/ulid/spec), 26 characters of Crockford
 * base32, the first 10 the millisecond timestamp. They sort by time as plain strings, which the
 * page uses to order what arrives out of order (a large broadcast is delivered by several
 * invocations), and they are unique, which the page uses to drop a message delivered twice
 * (SQS delivers at least once).
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARACTERS = 10;
const RANDOM_BYTES = 10;

/** Matches a well-formed id. */
export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A new id for a message accepted at `now`.
 * @param now - when the server accepted the message
 * @param random - 10 random bytes; tests pass fixed ones
 * @returns the ULID
 */
export function newMessageId(now: Date, random: Uint8Array = randomBytes(RANDOM_BYTES)): string {
  let time = now.getTime();
  let prefix = '';
  for (let index = 0; index < TIME_CHARACTERS; index++) {
    prefix = CROCKFORD.charAt(time % 32) + prefix;
    time = Math.floor(time / 32);
  }
  // 80 random bits as 16 base32 characters, 5 bits at a time.
  let suffix = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of random.subarray(0, RANDOM_BYTES)) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      suffix += CROCKFORD.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return prefix + suffix;
}
