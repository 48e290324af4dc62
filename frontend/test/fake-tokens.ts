/** ID tokens for the page's unit tests: unsigned (the page never checks signatures; the server does). */

/** base64url of a text's UTF-8 bytes, as a JWT's parts are encoded. */
export function base64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A compact JWT carrying `claims`, with a signature that is not one. */
export function jwt(claims: object): string {
  const part = (value: object): string => base64Url(JSON.stringify(value));
  return `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** An ID token of `sub`, issued at `issuedAtMs` and living `lifetimeMs`. */
export function idToken(
  sub: string,
  issuedAtMs: number,
  lifetimeMs: number,
  claims: object = {},
): string {
  return jwt({
    sub,
    iat: Math.floor(issuedAtMs / 1000),
    exp: Math.floor((issuedAtMs + lifetimeMs) / 1000),
    ...claims,
  });
}
