/**
 * A real OpenID Connect issuer for the page's sign-in tests: oidc-provider on loopback, with a
 * public client (authorization code flow, PKCE required, refresh tokens), a few users, and its
 * development login form. It stands in for the local stack's own issuer (`npm start -- --auth`).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';

/** A user the issuer knows: their login is their subject. */
export interface TestUser {
  readonly name: string;
}

/** A running issuer. */
export interface TestIssuer {
  /** The issuer, exactly as its tokens' `iss` says, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The page's client id (its tokens' audience). */
  readonly clientId: string;
  stop(): Promise<void>;
}

/** What the issuer needs to know. */
export interface TestIssuerOptions {
  /** The page's address, where the issuer sends people back after sign-in and sign-out. */
  readonly redirectUri: string;
  readonly users: Readonly<Record<string, TestUser>>;
  /** How long ID tokens live. Default an hour. */
  readonly idTokenSeconds?: number;
}

const clientId = 'awsome-chat-page';

/** Starts the issuer on a free loopback port. */
export async function startTestIssuer(options: TestIssuerOptions): Promise<TestIssuer> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_, response) =>
    response.writeHead(503).end();
  const server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'test-key',
    alg: 'RS256',
    use: 'sig',
  };
  const idTokenSeconds = options.idTokenSeconds ?? 3600;

  const provider = new Provider(url, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: ['a cookie key for tests only'] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    // The chat reads the name from the ID token, as Cognito puts it there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      IdToken: idTokenSeconds,
      AccessToken: idTokenSeconds,
      RefreshToken: 86_400,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // A public client gets a refresh token without offline_access, as Cognito gives one.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true },
    },
    clientBasedCORS: () => true,
    findAccount: async (_ctx, id) => {
      const user = Object.hasOwn(options.users, id) ? options.users[id] : undefined;
      if (user === undefined) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: user.name, preferred_username: id }),
      };
    },
    // Consent is given: the dev users are this test's own.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (accountId === undefined || client === undefined) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(['name', 'preferred_username']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  handle = (request, response) => {
    void callback(request, response);
  };

  return {
    url,
    clientId,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/**
 * Signs in on oidc-provider's development login form, as a person would: any password is taken.
 * The local stack's issuer (`npm start -- --auth`) is oidc-provider too.
 */
export async function signInOnDevForm(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password will do');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}
