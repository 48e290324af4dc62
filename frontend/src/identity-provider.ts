/**
 * The page's OpenID Connect client: the authorization code flow with PKCE, over oidc-client-ts,
 * for Cognito's managed login and any other issuer alike. The only module that imports
 * oidc-client-ts; `main.ts` loads it (a chunk of its own) only when `config.js` asks for sign-in,
 * so the open chat never downloads it.
 */
import { ErrorResponse, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AuthConfig } from './config.ts';
import { type IdentityProvider, RenewalRefused, type TokenSet } from './sign-in.ts';
import { cognitoLogoutUrl } from './sign-in-urls.ts';

/** A request to the issuer that takes longer than this has failed (and may be tried again). */
const requestTimeoutSeconds = 10;

/**
 * Token-endpoint errors that may pass: the issuer is down or busy, not refusing the person.
 * Any other error it names (`invalid_grant`: the refresh token expired or was revoked) is final.
 */
const passingErrors = new Set(['temporarily_unavailable', 'server_error']);

/**
 * An identity provider for `auth`, sending the person back to `redirectUri` (sign-in and sign-out).
 */
export function createIdentityProvider(auth: AuthConfig, redirectUri: string): IdentityProvider {
  const manager = new UserManager({
    authority: auth.issuer,
    client_id: auth.clientId,
    redirect_uri: redirectUri,
    post_logout_redirect_uri: redirectUri,
    response_type: 'code',
    scope: auth.scope,
    loadUserInfo: false,
    // SignInSession renews by the ID token's own expiry, which the server checks; the library's
    // renewal follows the access token's, and falls back to an iframe the CSP does not allow.
    automaticSilentRenew: false,
    monitorSession: false,
    // One tab, one sign-in: the tokens end with the tab. Another tab signs in with one click
    // while the issuer's session lasts.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    requestTimeoutInSeconds: requestTimeoutSeconds,
  });

  return {
    async completeSignIn(url) {
      const user = await manager.signinRedirectCallback(url);
      const returnTo = (user.state as { returnTo?: unknown } | undefined)?.returnTo;
      return {
        tokens: tokenSetOf(user),
        returnTo: typeof returnTo === 'string' ? returnTo : undefined,
      };
    },

    async completeSignOut(url) {
      await manager.signoutRedirectCallback(url);
    },

    async storedTokens() {
      const user = await manager.getUser();
      return user?.id_token === undefined ? undefined : tokenSetOf(user);
    },

    async renew() {
      const user = await manager.getUser();
      // Without a refresh token the library would renew in a hidden iframe: not here.
      if (typeof user?.refresh_token !== 'string') throw new RenewalRefused('no refresh token');
      let renewed: User | null;
      try {
        renewed = await manager.signinSilent();
      } catch (error) {
        if (error instanceof ErrorResponse && !passingErrors.has(error.error ?? '')) {
          throw new RenewalRefused(`the issuer refused: ${error.error ?? 'no error code'}`, {
            cause: error,
          });
        }
        throw error;
      }
      if (renewed?.id_token === undefined) throw new RenewalRefused('no ID token in the renewal');
      return tokenSetOf(renewed);
    },

    async beginSignIn(returnTo) {
      await manager.signinRedirect({ state: { returnTo } });
    },

    async beginSignOut() {
      const user = await manager.getUser();
      try {
        if (typeof user?.refresh_token === 'string' && (await revocable(manager))) {
          // Best effort: a refresh token the issuer has revoked is worthless wherever it ends up.
          await manager.revokeTokens(['refresh_token']).catch(() => undefined);
        }
      } finally {
        // Whatever happens next, this tab forgets the tokens: the person asked to be signed out.
        await manager.removeUser();
      }
      if (auth.mode === 'cognito') {
        const authorize = await manager.metadataService.getAuthorizationEndpoint();
        window.location.assign(cognitoLogoutUrl(authorize, auth.clientId, redirectUri));
        return true;
      }
      if ((await manager.metadataService.getEndSessionEndpoint()) === undefined) return false;
      await manager.signoutRedirect(
        user?.id_token === undefined ? {} : { id_token_hint: user.id_token },
      );
      return true;
    },
  };
}

function tokenSetOf(user: User): TokenSet {
  if (user.id_token === undefined) throw new Error('the issuer sent no ID token');
  return { idToken: user.id_token, renewable: typeof user.refresh_token === 'string' };
}

/** Whether the issuer's discovery document names a revocation endpoint. */
async function revocable(manager: UserManager): Promise<boolean> {
  try {
    return (await manager.metadataService.getRevocationEndpoint(true)) !== undefined;
  } catch {
    return false;
  }
}
