/**
 * Origins, as the function's Origin check and the local stack's handshake policy both read them:
 * one normal form, and one way to read the comma-separated `ALLOWED_ORIGINS` list. Pure and free
 * of Node.js APIs.
 */

/**
 * Normalises an origin the way browsers serialise one (lower-case scheme and host, default port
 * dropped), so the allow-list and the header compare equal whenever they name the same origin.
 * @param value - an origin such as `https://Example.com:443`
 * @returns the serialised origin, or undefined when the value is not an http(s) origin
 */
export function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // An origin has no path, query or credentials; anything more is a misconfiguration.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    return undefined;
  }
  return url.origin;
}

/**
 * The entries of a comma-separated `ALLOWED_ORIGINS` value, as the function reads them (the local
 * stack's origin policy reads them the same way).
 * @param raw - the variable's value, undefined when unset
 * @returns the entries, trimmed, empty ones left out
 */
export function listedOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
