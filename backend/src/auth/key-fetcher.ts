/**
 * How the authorizer fetches an identity provider's documents (its discovery document and its
 * signing keys): aws-jwt-verify's own fetcher for https, which is all AWS ever uses; and, for the
 * local stack's issuer, plain http on the loopback interface only. aws-jwt-verify's fetcher is
 * built on `node:https`, which refuses an `http:` URL outright, hence the second path. Any other
 * URL is refused before a request is made, whatever the configuration said.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { isAllowedIdentityProviderUrl } from './authorizer-config.ts';

/** The loopback fetch's deadline: the local issuer answers in a few milliseconds. */
const LOOPBACK_TIMEOUT_MS = 3000;

/** A document fetch that failed: the authorizer's fault or the provider's, never the token's. */
export class KeyFetchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KeyFetchError';
  }
}

/**
 * The authorizer's fetcher.
 * @param https - the fetcher for https URLs; aws-jwt-verify's (one immediate retry, 1.5 s idle
 *   and 3 s response timeouts) unless a test hands in its own
 * @returns a fetcher that refuses every URL but https and loopback http
 */
export function createKeyFetcher(https: Fetcher = new SimpleFetcher()): Fetcher {
  return {
    async fetch(uri, requestOptions, data) {
      const url = new URL(uri);
      if (!isAllowedIdentityProviderUrl(url)) {
        throw new KeyFetchError('only https, or http on the loopback interface, is fetched');
      }
      if (url.protocol === 'https:') return https.fetch(uri, requestOptions, data);
      return fetchFromLoopback(url);
    },
  };
}

async function fetchFromLoopback(url: URL): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(LOOPBACK_TIMEOUT_MS),
    });
  } catch (error) {
    throw new KeyFetchError(`fetching ${url.href} failed`, { cause: error });
  }
  if (response.status !== 200) {
    throw new KeyFetchError(`fetching ${url.href} answered ${response.status}, expected 200`);
  }
  return response.arrayBuffer();
}

/**
 * Reads an OpenID Connect issuer's discovery document for where its signing keys are. The
 * document must name the same issuer (OpenID Connect Discovery 1.0, section 4.3), and its keys
 * must be at a URL the authorizer may fetch.
 * @param issuer - the configured issuer
 * @param fetcher - the authorizer's fetcher
 * @returns the `jwks_uri`
 * @throws KeyFetchError when the document cannot be read or does not fit the issuer
 */
export async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const documentUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(await fetcher.fetch(documentUrl)));
  } catch (error) {
    if (error instanceof KeyFetchError) throw error;
    throw new KeyFetchError(`the discovery document of ${issuer} could not be read`, {
      cause: error,
    });
  }
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  if (fields.issuer !== issuer) {
    throw new KeyFetchError(`the discovery document of ${issuer} names another issuer`);
  }
  const jwksUri = fields.jwks_uri;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new KeyFetchError(`the discovery document of ${issuer} has no jwks_uri`);
  }
  if (!isAllowedIdentityProviderUrl(new URL(jwksUri))) {
    throw new KeyFetchError(`the jwks_uri of ${issuer} is neither https nor loopback http`);
  }
  return jwksUri;
}
