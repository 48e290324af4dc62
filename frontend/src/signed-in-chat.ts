/**
 * Everything only sign-in needs, behind one dynamic import: `main.ts` loads this chunk when
 * `config.js` asks for sign-in, so the open chat never downloads the OpenID Connect client or the
 * sign-in state machine.
 */
import type { AuthConfig } from './config.ts';
import { createIdentityProvider } from './identity-provider.ts';
import { SignInSession, type SignInState } from './sign-in.ts';
import { redirectUriFor } from './sign-in-urls.ts';
import type { Timers } from './timers.ts';

/** A sign-in session for `auth`, in the page at `pageUrl`, reporting each change of its state. */
export function createSignInSession(
  auth: AuthConfig,
  pageUrl: string,
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>,
  stateChanged: (state: SignInState) => void,
): SignInSession {
  return new SignInSession({
    provider: createIdentityProvider(auth, redirectUriFor(pageUrl)),
    senderIdNamespace: auth.senderIdNamespace,
    timers,
    now: () => Date.now(),
    stateChanged,
  });
}
