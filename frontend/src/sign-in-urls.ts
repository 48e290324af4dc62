/**
 * The addresses of signing in and out: where the issuer sends the person back, how the page
 * recognises that return, and Cognito's own sign-out address. Pure.
 */

/** The query parameters an authorization response or a sign-out return adds to the page's URL. */
const callbackParameters = [
  'code',
  'state',
  'session_state',
  'iss',
  'error',
  'error_description',
  'error_uri',
] as const;

/**
 * Whether the page was opened by the issuer sending the person back: from sign-in, with `code`
 * (or `error`) and `state`; from sign-out, with `state` alone.
 */
export function callbackKind(pageUrl: string): 'sign-in' | 'sign-out' | undefined {
  const query = new URL(pageUrl).searchParams;
  if (!query.has('state')) return undefined;
  return query.has('code') || query.has('error') ? 'sign-in' : 'sign-out';
}

/** The page's URL without what the issuer added, for the address bar once the return is handled. */
export function withoutCallbackParameters(pageUrl: string): string {
  const url = new URL(pageUrl);
  // Once the last parameter is gone, the URL standard drops the `?` too.
  for (const name of callbackParameters) url.searchParams.delete(name);
  return url.href;
}

/**
 * Where the issuer sends the person back, after sign-in and sign-out alike: the folder the page
 * is served from (`https://chat.example/`), never the page's own name or query, so it is one fixed
 * address to register with the issuer (Cognito's callback and sign-out URLs).
 */
export function redirectUriFor(pageUrl: string): string {
  const url = new URL('./', pageUrl);
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The page address to show after signing in: where the person signed in from (its room), if it is
 * this site's page, else the redirect address.
 */
export function returnAddress(returnTo: unknown, pageUrl: string): string {
  const home = redirectUriFor(pageUrl);
  if (typeof returnTo !== 'string') return home;
  try {
    const url = new URL(returnTo);
    return url.origin === new URL(home).origin && url.pathname.startsWith(new URL(home).pathname)
      ? withoutCallbackParameters(url.href)
      : home;
  } catch {
    return home;
  }
}

/**
 * Cognito's managed login signs out at its own `/logout`, with `client_id` and `logout_uri` (one
 * of the app client's sign-out URLs), not with OpenID Connect's RP-initiated logout. Its domain is
 * the one its authorization endpoint is on.
 *
 * @param authorizationEndpoint - from the user pool's discovery document
 */
export function cognitoLogoutUrl(
  authorizationEndpoint: string,
  clientId: string,
  logoutUri: string,
): string {
  const url = new URL('/logout', authorizationEndpoint);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('logout_uri', logoutUri);
  return url.href;
}
