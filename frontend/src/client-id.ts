/** What a client id is made from: the browser's `crypto`, or a test's stand-in. */
export interface RandomSource {
  /** Fills `array` with random bytes. */
  getRandomValues(array: Uint8Array<ArrayBuffer>): unknown;
  randomUUID?: () => string;
}

/**
 * A new client id for a message: a random (version 4) UUID, as `crypto.randomUUID()` makes.
 *
 * `randomUUID` exists only in secure contexts (HTTPS, localhost), and the S3 website endpoint
 * serves the page over plain HTTP; there the same kind of id is made from `getRandomValues`,
 * which every context has.
 */
export function newClientId(source: RandomSource = globalThis.crypto): string {
  if (typeof source.randomUUID === 'function') return source.randomUUID();
  const bytes = new Uint8Array(16);
  source.getRandomValues(bytes);
  // RFC 9562: the version (4) in the high nibble of byte 6, the variant (10) in byte 8.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
