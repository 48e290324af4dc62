/**
 * The page's `config.js`, as a deployed stack serves it (rendered by Terraform from
 * frontend/config.js.tftpl): the one place a deployment tells its clients the WebSocket URL, the
 * message limit and whether sign-in is on. The suite reads it rather than asking for more flags.
 */

/** What `config.js` says. */
export interface PageConfig {
  readonly websocketUrl: string;
  readonly maxMessageLength: number;
  /** The OpenID Connect issuer and the page's client id, in a sign-in mode. */
  readonly auth: { readonly issuer: string; readonly clientId: string } | undefined;
}

/** `config.js` is missing, or not what Terraform renders. */
export class PageConfigError extends Error {
  override readonly name = 'PageConfigError';
}

/**
 * Reads the text of `config.js` (pure).
 * @param text - the file, `window.CHAT_CONFIG = {…};`
 * @returns what it says
 * @throws PageConfigError when it is not the rendered template
 */
export function parsePageConfig(text: string): PageConfig {
  const json = /window\.CHAT_CONFIG\s*=\s*(\{[\s\S]*\})\s*;?\s*$/.exec(text)?.[1];
  let value: unknown;
  try {
    value = json === undefined ? undefined : JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null) {
    throw new PageConfigError('config.js does not set window.CHAT_CONFIG to an object');
  }
  const config = value as Record<string, unknown>;
  const { websocketUrl, maxMessageLength, auth } = config;
  if (typeof websocketUrl !== 'string' || typeof maxMessageLength !== 'number') {
    throw new PageConfigError('config.js has no websocketUrl or maxMessageLength');
  }
  return { websocketUrl, maxMessageLength, auth: authOf(auth) };
}

function authOf(value: unknown): PageConfig['auth'] {
  if (value === undefined || value === null) return undefined;
  const { issuer, clientId } = value as Record<string, unknown>;
  if (typeof issuer !== 'string' || typeof clientId !== 'string') {
    throw new PageConfigError('config.js has an auth key without an issuer and a clientId');
  }
  return { issuer, clientId };
}

/**
 * Fetches and reads a site's `config.js`.
 * @param siteUrl - the page, e.g. `https://d111.cloudfront.net`
 * @returns what it says
 * @throws PageConfigError when the site does not answer with a rendered `config.js`
 */
export async function fetchPageConfig(siteUrl: string): Promise<PageConfig> {
  const url = new URL('config.js', siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new PageConfigError(`${url} did not answer: is --site the page's URL?`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new PageConfigError(`${url} answered ${response.status}: is --site the page's URL?`);
  }
  return parsePageConfig(await response.text());
}
