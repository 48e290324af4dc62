/**
 * Signing in, as the page lives it: who is signed in, whether their ID token is good for the next
 * handshake, renewing it in time and when the server refused it, and signing out. The identity
 * provider itself (the redirects, the token endpoint, the storage) is behind
 * {@link IdentityProvider}, so this state machine runs in tests without a browser or an issuer.
 *
 * The server checks the token only at the handshake, and a refused handshake shows in the browser
 * only as a socket that closed without opening, like any network failure. So the page renews
 * before each handshake whose token is near its expiry, and once after a handshake that failed,
 * and asks the person to sign in again only when renewing is refused: never in a loop, and never
 * by redirecting on its own.
 */
import {
  type IdTokenClaims,
  isTokenFresh,
  readIdToken,
  renewalTimeMs,
  verifiedName,
} from './id-token.ts';
import { senderIdFor } from './sender-id.ts';
import type { Timers } from './timers.ts';

/** Tokens from the identity provider. */
export interface TokenSet {
  /** The ID token, as the server wants it in the handshake. */
  readonly idToken: string;
  /** Whether the provider can renew them without the person (it gave a refresh token). */
  readonly renewable: boolean;
}

/** The provider refused to renew (the refresh token expired or was revoked): only signing in helps. */
export class RenewalRefused extends Error {
  override readonly name = 'RenewalRefused';
}

/** What the page needs of an OpenID Connect client (`identity-provider.ts` over oidc-client-ts). */
export interface IdentityProvider {
  /**
   * Completes the sign-in redirect that came back to `url`.
   * @returns the tokens, and the page address the person signed in from
   */
  completeSignIn(url: string): Promise<{ tokens: TokenSet; returnTo: string | undefined }>;
  /** Completes the sign-out redirect that came back to `url` (forgets what it stored for it). */
  completeSignOut(url: string): Promise<void>;
  /** The tokens this tab kept from an earlier sign-in, if any. */
  storedTokens(): Promise<TokenSet | undefined>;
  /**
   * New tokens, without the person.
   * @throws RenewalRefused when only signing in again can help; anything else for a failure that
   *   may pass (the network)
   */
  renew(): Promise<TokenSet>;
  /** Leaves for the issuer's sign-in, to come back to `returnTo`. */
  beginSignIn(returnTo: string): Promise<void>;
  /**
   * Forgets the tokens and leaves for the issuer's sign-out, if it has one.
   * @returns false when there is nowhere to go: the person is signed out of this page only
   */
  beginSignOut(): Promise<boolean>;
}

/** The person signed in, as the chat knows them. */
export interface Person {
  /** The name the server shows on their messages. */
  readonly name: string;
  /** Their sender id, as the server puts it on their messages. */
  readonly senderId: string;
}

/**
 * Why nobody is signed in:
 * - `not-yet`: nobody signed in in this tab (or the sign-out came back);
 * - `signed-out`: signed out of this page, the issuer having no sign-out to go to;
 * - `expired`: the token ran out and could not be renewed;
 * - `refused`: the server refused a handshake and the token could not be renewed;
 * - `sign-in-failed`: the sign-in came back with an error (`detail`: the issuer's error code);
 * - `unavailable`: the issuer could not be reached to sign in or out.
 */
export type SignedOutReason =
  | 'not-yet'
  | 'signed-out'
  | 'expired'
  | 'refused'
  | 'sign-in-failed'
  | 'unavailable';

/** Where sign-in stands. */
export type SignInState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'signed-out'; readonly reason: SignedOutReason; readonly detail?: string }
  /** On the way to the issuer's sign-in or sign-out page. */
  | { readonly kind: 'redirecting'; readonly to: 'sign-in' | 'sign-out' }
  | { readonly kind: 'signed-in'; readonly person: Person };

/** Everything a session needs from its surroundings. */
export interface SignInOptions {
  readonly provider: IdentityProvider;
  /** `AuthConfig.senderIdNamespace`. */
  readonly senderIdNamespace: string;
  readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** The clock, in epoch milliseconds. */
  readonly now: () => number;
  readonly stateChanged: (state: SignInState) => void;
}

/**
 * A token must outlive a handshake by this much: the server checks `exp` on its own clock, a
 * moment later, and a client clock a little behind would otherwise offer a token just expired.
 */
export const handshakeMarginMs = 30_000;

/** After a background renewal that failed for a passing reason, the next try comes this much later. */
export const renewalRetryMs = 30_000;

/** The tokens in use, read. */
interface HeldTokens {
  readonly set: TokenSet;
  readonly claims: IdTokenClaims;
}

/** One tab's sign-in. */
export class SignInSession {
  readonly #options: SignInOptions;
  #state: SignInState = { kind: 'checking' };
  #tokens: HeldTokens | undefined;
  /** The renewal under way, shared by everyone who needs it. */
  #renewal: Promise<TokenSet> | undefined;
  #renewalTimer: unknown;
  /** A handshake failed: the next one goes with a renewed token. */
  #mustRenew = false;
  /** Since the last accepted handshake, a failed one has already had its renewal. */
  #renewedForRefusal = false;
  /**
   * How far the issuer's clock is ahead of this one, from the last token it issued as the page
   * received it: expiry and renewal are reckoned on the issuer's clock, so a computer whose clock
   * is off neither offers expired tokens nor renews in a loop.
   */
  #issuerClockAheadMs = 0;

  constructor(options: SignInOptions) {
    this.#options = options;
  }

  /** Where sign-in stands now. */
  get state(): SignInState {
    return this.#state;
  }

  /**
   * Finds out who is signed in: completes a sign-in or sign-out redirect that came back to
   * `pageUrl` (`callback` says which, see `sign-in-urls.ts`), else takes the tokens this tab kept.
   *
   * @returns for a sign-in that came back, the address the person signed in from
   */
  async start(
    pageUrl: string,
    callback: 'sign-in' | 'sign-out' | undefined,
  ): Promise<string | undefined> {
    const { provider } = this.#options;
    if (callback === 'sign-in') {
      try {
        const { tokens, returnTo } = await provider.completeSignIn(pageUrl);
        this.#adopt(tokens, 'sign-in-failed', true);
        return returnTo;
      } catch (error) {
        this.#signedOut('sign-in-failed', issuerErrorCode(error));
        return undefined;
      }
    }
    if (callback === 'sign-out') {
      // Its state only says where it came from; failing to forget it loses nothing.
      await provider.completeSignOut(pageUrl).catch(() => undefined);
    }
    const stored = await provider.storedTokens().catch(() => undefined);
    if (stored === undefined) this.#signedOut('not-yet');
    else this.#adopt(stored, 'expired', false);
    return undefined;
  }

  /** Leaves for the issuer's sign-in page; back at `returnTo` once signed in. */
  async signIn(returnTo: string): Promise<void> {
    this.#setState({ kind: 'redirecting', to: 'sign-in' });
    try {
      await this.#options.provider.beginSignIn(returnTo);
    } catch {
      this.#signedOut('unavailable');
    }
  }

  /** Forgets the tokens and leaves for the issuer's sign-out, or says the page is signed out. */
  async signOut(): Promise<void> {
    this.#forgetTokens();
    this.#setState({ kind: 'redirecting', to: 'sign-out' });
    let leaving: boolean;
    try {
      leaving = await this.#options.provider.beginSignOut();
    } catch {
      this.#signedOut('unavailable');
      return;
    }
    if (!leaving) this.#signedOut('signed-out');
  }

  /**
   * The ID token for the next handshake: renewed first when it is near its expiry or the last
   * handshake failed.
   *
   * @returns `undefined` when nobody is signed in (any more): the page must not connect
   * @throws when a renewal failed for a reason that may pass (offline): try again later
   */
  async handshakeToken(): Promise<string | undefined> {
    const tokens = this.#tokens;
    if (this.#state.kind !== 'signed-in' || tokens === undefined) return undefined;
    const fresh = isTokenFresh(tokens.claims, this.#issuerNow(), handshakeMarginMs);
    if (!fresh || this.#mustRenew) {
      const forRefusal = this.#mustRenew;
      if (!(await this.#renew(fresh ? 'refused' : 'expired'))) return undefined;
      if (forRefusal) {
        this.#mustRenew = false;
        this.#renewedForRefusal = true;
      }
    }
    return this.#tokens?.set.idToken;
  }

  /**
   * A handshake closed before it opened: the server may have refused the token (or the network
   * failed; the page cannot tell). The next handshake goes with a renewed token, once until a
   * handshake is accepted again.
   */
  handshakeFailed(): void {
    if (this.#state.kind === 'signed-in' && !this.#renewedForRefusal) this.#mustRenew = true;
  }

  /** A handshake was accepted: a later failure earns a renewal again. */
  handshakeAccepted(): void {
    this.#mustRenew = false;
    this.#renewedForRefusal = false;
  }

  /**
   * Takes tokens into use, or signs out with `reason` when they cannot serve.
   *
   * @param justIssued - the issuer made them a moment ago (a sign-in or renewal, not storage):
   *   their `iat` tells how far the issuer's clock is from this one
   */
  #adopt(tokens: TokenSet, reason: SignedOutReason, justIssued: boolean): void {
    const claims = readIdToken(tokens.idToken);
    if (claims === undefined) {
      this.#signedOut(reason);
      return;
    }
    if (justIssued && claims.issuedAtMs !== undefined) {
      this.#issuerClockAheadMs = claims.issuedAtMs - this.#options.now();
    }
    const now = this.#issuerNow();
    if (!tokens.renewable && !isTokenFresh(claims, now, handshakeMarginMs)) {
      this.#signedOut('expired');
      return;
    }
    this.#tokens = { set: tokens, claims };
    const senderId = senderIdFor(this.#options.senderIdNamespace, claims.sub);
    const person = { name: verifiedName(claims.claims, senderId), senderId };
    const current = this.#state;
    if (
      current.kind !== 'signed-in' ||
      current.person.name !== person.name ||
      current.person.senderId !== person.senderId
    ) {
      this.#setState({ kind: 'signed-in', person });
    }
    this.#scheduleRenewal(tokens.renewable ? renewalTimeMs(claims, now) : undefined);
  }

  /**
   * Renews the tokens (one renewal at a time, whoever asks).
   *
   * @param reason - what the person is told when renewing is refused
   * @returns false when it was refused: the person is now signed out
   * @throws when it failed for a reason that may pass
   */
  async #renew(reason: 'expired' | 'refused'): Promise<boolean> {
    const held = this.#tokens;
    if (held === undefined) return false;
    if (!held.set.renewable) {
      this.#signedOut(reason);
      return false;
    }
    if (this.#renewal === undefined) {
      const renewal = this.#options.provider.renew();
      this.#renewal = renewal;
      // Whoever started it, it is over for everyone once settled.
      renewal.then(
        () => this.#renewalSettled(renewal),
        () => this.#renewalSettled(renewal),
      );
    }
    let tokens: TokenSet;
    try {
      tokens = await this.#renewal;
    } catch (error) {
      if (!(error instanceof RenewalRefused)) throw error;
      if (this.#tokens !== undefined) this.#signedOut(reason);
      return false;
    }
    // Signed out meanwhile: the renewal came too late to count.
    if (this.#tokens === undefined) return false;
    if (this.#tokens.set !== tokens) this.#adopt(tokens, reason, true);
    return this.#state.kind === 'signed-in';
  }

  #renewalSettled(renewal: Promise<TokenSet>): void {
    if (this.#renewal === renewal) this.#renewal = undefined;
  }

  /** The time on the issuer's clock, as far as the page can tell. */
  #issuerNow(): number {
    return this.#options.now() + this.#issuerClockAheadMs;
  }

  /** Renews in the background at `atMs` (the issuer's clock), so a reconnect seldom waits for it. */
  #scheduleRenewal(atMs: number | undefined): void {
    this.#cancelRenewal();
    if (atMs === undefined) return;
    const delayMs = Math.max(0, atMs - this.#issuerNow());
    this.#renewalTimer = this.#options.timers.setTimeout(() => {
      this.#renewalTimer = undefined;
      this.#renew('expired').catch(() => {
        // Offline, say: try again soon while the token still serves; past that, the next
        // handshake renews it anyway.
        const held = this.#tokens;
        if (held === undefined) return;
        const retryAtMs = this.#issuerNow() + renewalRetryMs;
        if (retryAtMs < held.claims.expiresAtMs) this.#scheduleRenewal(retryAtMs);
      });
    }, delayMs);
  }

  #cancelRenewal(): void {
    if (this.#renewalTimer === undefined) return;
    this.#options.timers.clearTimeout(this.#renewalTimer);
    this.#renewalTimer = undefined;
  }

  #forgetTokens(): void {
    this.#cancelRenewal();
    this.#tokens = undefined;
    this.#mustRenew = false;
    this.#renewedForRefusal = false;
  }

  #signedOut(reason: SignedOutReason, detail?: string): void {
    this.#forgetTokens();
    this.#setState({
      kind: 'signed-out',
      reason,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  #setState(state: SignInState): void {
    this.#state = state;
    this.#options.stateChanged(state);
  }
}

/**
 * The issuer's error code from a failed sign-in (`access_denied` when the person cancelled), if
 * it is one: a short code is shown, never a description, which anyone could put into a URL.
 */
function issuerErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { error?: unknown }).error;
  return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : undefined;
}
