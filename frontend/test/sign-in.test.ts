import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { senderIdFor } from '../src/sender-id.ts';
import {
  handshakeMarginMs,
  type IdentityProvider,
  RenewalRefused,
  renewalRetryMs,
  SignInSession,
  type SignInState,
  type TokenSet,
} from '../src/sign-in.ts';
import { idToken } from './fake-tokens.ts';

const namespace = 'https://issuer.example';
const hour = 3_600_000;
const minute = 60_000;

/** A renewal the test settles when it wants. */
interface PendingRenewal {
  resolve(tokens: TokenSet): void;
  reject(error: unknown): void;
}

/** The identity provider as the test plays it: what it was asked, and what it answers. */
class FakeProvider implements IdentityProvider {
  stored: TokenSet | undefined;
  readonly renewals: PendingRenewal[] = [];
  readonly signIns: string[] = [];
  signOuts = 0;
  /** What `beginSignOut` answers: whether the issuer has a sign-out page to go to. */
  signOutLeaves = true;
  signInFails = false;
  readonly completedSignIns: string[] = [];
  readonly completedSignOuts: string[] = [];
  signInResult: { tokens: TokenSet; returnTo: string | undefined } | Error = new Error('unset');

  async completeSignIn(url: string): Promise<{ tokens: TokenSet; returnTo: string | undefined }> {
    this.completedSignIns.push(url);
    if (this.signInResult instanceof Error) throw this.signInResult;
    return this.signInResult;
  }

  async completeSignOut(url: string): Promise<void> {
    this.completedSignOuts.push(url);
  }

  async storedTokens(): Promise<TokenSet | undefined> {
    return this.stored;
  }

  renew(): Promise<TokenSet> {
    return new Promise((resolve, reject) => this.renewals.push({ resolve, reject }));
  }

  async beginSignIn(returnTo: string): Promise<void> {
    this.signIns.push(returnTo);
    if (this.signInFails) throw new TypeError('Failed to fetch');
  }

  async beginSignOut(): Promise<boolean> {
    this.signOuts += 1;
    return this.signOutLeaves;
  }

  /** The latest renewal asked for. */
  latestRenewal(): PendingRenewal {
    const renewal = this.renewals.at(-1);
    if (renewal === undefined) throw new Error('no renewal was asked for');
    return renewal;
  }
}

/** Tokens for `sub`, issued now, living an hour, renewable unless said otherwise. */
function tokensFor(
  sub: string,
  renewable = true,
  lifetimeMs = hour,
  claims: object = {},
): TokenSet {
  return { idToken: idToken(sub, Date.now(), lifetimeMs, claims), renewable };
}

interface Harness {
  session: SignInSession;
  provider: FakeProvider;
  states: SignInState[];
}

function startHarness(): Harness {
  const provider = new FakeProvider();
  const states: SignInState[] = [];
  const session = new SignInSession({
    provider,
    senderIdNamespace: namespace,
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    now: () => Date.now(),
    stateChanged: (state) => states.push(state),
  });
  return { session, provider, states };
}

/** Starts a session signed in as Alice from this tab's stored tokens. */
async function signedInAsAlice(renewable = true, lifetimeMs = hour): Promise<Harness> {
  const harness = startHarness();
  harness.provider.stored = tokensFor('alice', renewable, lifetimeMs, { name: 'Alice Liddell' });
  await harness.session.start('https://chat.example/', undefined);
  return harness;
}

describe('SignInSession', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-01T09:00:00Z') });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('start', () => {
    it('is signed out when nobody signed in in this tab, and gives no token', async () => {
      // Prepare
      const { session, states } = startHarness();

      // Act
      await session.start('https://chat.example/#support', undefined);
      const token = await session.handshakeToken();

      // Assess
      expect(states).toEqual([{ kind: 'signed-out', reason: 'not-yet' }]);
      expect(token).toBeUndefined();
    });

    it('takes the tokens this tab kept: the verified name and the sender id the server will give', async () => {
      // Act
      const { session, provider, states } = await signedInAsAlice();
      const token = await session.handshakeToken();

      // Assess
      expect(states).toEqual([
        {
          kind: 'signed-in',
          person: { name: 'Alice Liddell', senderId: senderIdFor(namespace, 'alice') },
        },
      ]);
      expect(token).toBe(provider.stored?.idToken);
      expect(provider.renewals).toHaveLength(0);
    });

    it('completes a sign-in that came back, and says where the person signed in from', async () => {
      // Prepare
      const { session, provider, states } = startHarness();
      provider.signInResult = { tokens: tokensFor('bob'), returnTo: 'https://chat.example/#dev' };

      // Act
      const returnTo = await session.start('https://chat.example/?code=c&state=s', 'sign-in');

      // Assess
      expect(returnTo).toBe('https://chat.example/#dev');
      expect(provider.completedSignIns).toEqual(['https://chat.example/?code=c&state=s']);
      expect(states).toEqual([
        {
          kind: 'signed-in',
          person: {
            name: expect.stringMatching(/^user-/),
            senderId: senderIdFor(namespace, 'bob'),
          },
        },
      ]);
    });

    it("says why a sign-in that came back failed, by the issuer's error code only", async () => {
      // Prepare
      const cancelled = startHarness();
      cancelled.provider.signInResult = Object.assign(new Error('denied'), {
        error: 'access_denied',
      });
      const forged = startHarness();
      forged.provider.signInResult = Object.assign(new Error('x'), {
        error: 'Call +1 555 0100 now',
      });

      // Act
      await cancelled.session.start('https://chat.example/?error=access_denied&state=s', 'sign-in');
      await forged.session.start('https://chat.example/?error=x&state=s', 'sign-in');

      // Assess
      expect(cancelled.states).toEqual([
        { kind: 'signed-out', reason: 'sign-in-failed', detail: 'access_denied' },
      ]);
      expect(forged.states).toEqual([{ kind: 'signed-out', reason: 'sign-in-failed' }]);
    });

    it('completes a sign-out that came back, and is signed out', async () => {
      // Prepare
      const { session, provider, states } = startHarness();

      // Act
      await session.start('https://chat.example/?state=s', 'sign-out');

      // Assess
      expect(provider.completedSignOuts).toEqual(['https://chat.example/?state=s']);
      expect(states).toEqual([{ kind: 'signed-out', reason: 'not-yet' }]);
    });

    it('is signed out when the kept token expired and cannot be renewed', async () => {
      // Prepare
      const { session, provider, states } = startHarness();
      provider.stored = tokensFor('alice', false);
      vi.advanceTimersByTime(hour);

      // Act
      await session.start('https://chat.example/', undefined);

      // Assess
      expect(states).toEqual([{ kind: 'signed-out', reason: 'expired' }]);
    });
  });

  describe('renewing', () => {
    it('renews in the background 5 minutes before the token expires, and hands out the new one', async () => {
      // Prepare
      const { session, provider } = await signedInAsAlice();

      // Act
      vi.advanceTimersByTime(55 * minute - 1);
      const renewalsBefore = provider.renewals.length;
      vi.advanceTimersByTime(1);
      const renewed = tokensFor('alice');
      provider.latestRenewal().resolve(renewed);
      await vi.advanceTimersByTimeAsync(0);

      // Assess
      expect(renewalsBefore).toBe(0);
      expect(provider.renewals).toHaveLength(1);
      expect(await session.handshakeToken()).toBe(renewed.idToken);
    });

    it("reckons expiry on the issuer's clock: a computer two hours ahead neither renews at once nor in a loop", async () => {
      // Prepare: tokens issued by the issuer's clock, received on a clock two hours ahead
      const { session, provider } = startHarness();
      provider.signInResult = { tokens: tokensFor('alice'), returnTo: undefined };
      vi.setSystemTime(Date.now() + 2 * hour);

      // Act
      await session.start('https://chat.example/?code=c&state=s', 'sign-in');
      const token = await session.handshakeToken();
      vi.advanceTimersByTime(55 * minute - 1);
      const renewalsBefore = provider.renewals.length;
      vi.advanceTimersByTime(1);

      // Assess
      expect(token).toBe(provider.signInResult.tokens.idToken);
      expect(renewalsBefore).toBe(0);
      expect(provider.renewals).toHaveLength(1);
    });

    it('renews a token about to expire before the handshake, once for everyone who asks', async () => {
      // Prepare: the background renewal never came (a frozen tab)
      const { session, provider } = await signedInAsAlice();
      vi.setSystemTime(Date.now() + hour - handshakeMarginMs);

      // Act
      const first = session.handshakeToken();
      const second = session.handshakeToken();
      const renewed = tokensFor('alice');
      provider.latestRenewal().resolve(renewed);

      // Assess
      expect(await first).toBe(renewed.idToken);
      expect(await second).toBe(renewed.idToken);
      expect(provider.renewals).toHaveLength(1);
    });

    it('renews once after a failed handshake, and not again until one is accepted', async () => {
      // Prepare
      const { session, provider } = await signedInAsAlice();
      const original = provider.stored?.idToken;

      // Act: refused, renewed; refused again with the new token: no second renewal
      session.handshakeFailed();
      const afterRefusal = session.handshakeToken();
      const renewed = tokensFor('alice');
      provider.latestRenewal().resolve(renewed);
      const firstRetry = await afterRefusal;
      session.handshakeFailed();
      const secondRetry = await session.handshakeToken();
      const renewalsBeforeAccepted = provider.renewals.length;
      session.handshakeAccepted();
      session.handshakeFailed();
      const afterNextRefusal = session.handshakeToken();
      provider.latestRenewal().resolve(tokensFor('alice'));
      await afterNextRefusal;

      // Assess
      expect(firstRetry).toBe(renewed.idToken);
      expect(firstRetry).not.toBe(original);
      expect(secondRetry).toBe(renewed.idToken);
      expect(renewalsBeforeAccepted).toBe(1);
      expect(provider.renewals).toHaveLength(2);
    });

    it('asks the person to sign in again when the renewal after a refused handshake is refused, and gives no token after', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();
      session.handshakeFailed();

      // Act
      const token = session.handshakeToken();
      provider.latestRenewal().reject(new RenewalRefused('invalid_grant'));
      const tokens = [await token, await session.handshakeToken(), await session.handshakeToken()];

      // Assess
      expect(tokens).toEqual([undefined, undefined, undefined]);
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'refused' });
      expect(provider.renewals).toHaveLength(1);
    });

    it('says the sign-in expired when renewing an expired token is refused', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();
      vi.setSystemTime(Date.now() + hour);

      // Act
      const token = session.handshakeToken();
      provider.latestRenewal().reject(new RenewalRefused('invalid_grant'));

      // Assess
      expect(await token).toBeUndefined();
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'expired' });
    });

    it('cannot renew without a refresh token: a refused handshake signs out at once', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice(false);

      // Act
      session.handshakeFailed();
      const token = await session.handshakeToken();

      // Assess
      expect(token).toBeUndefined();
      expect(provider.renewals).toHaveLength(0);
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'refused' });
    });

    it('stays signed in when a renewal fails for a passing reason, and tries again at the next handshake', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();
      vi.setSystemTime(Date.now() + hour);

      // Act
      const offline = session.handshakeToken();
      provider.latestRenewal().reject(new TypeError('Failed to fetch'));
      const outcome = await offline.then(
        () => 'resolved',
        (error: unknown) => (error instanceof TypeError ? 'failed' : 'other'),
      );
      const online = session.handshakeToken();
      const renewed = tokensFor('alice');
      provider.latestRenewal().resolve(renewed);

      // Assess
      expect(outcome).toBe('failed');
      expect(await online).toBe(renewed.idToken);
      expect(states.every((state) => state.kind === 'signed-in')).toBe(true);
    });

    it('tries a failed background renewal again 30 s later while the token lasts', async () => {
      // Prepare
      const { provider } = await signedInAsAlice();
      vi.advanceTimersByTime(55 * minute);

      // Act
      provider.latestRenewal().reject(new TypeError('Failed to fetch'));
      await vi.advanceTimersByTimeAsync(renewalRetryMs - 1);
      const renewalsBeforeRetry = provider.renewals.length;
      await vi.advanceTimersByTimeAsync(1);

      // Assess
      expect(renewalsBeforeRetry).toBe(1);
      expect(provider.renewals).toHaveLength(2);
    });

    it('signs out when the background renewal is refused', async () => {
      // Prepare
      const { provider, states } = await signedInAsAlice();
      vi.advanceTimersByTime(55 * minute);

      // Act
      provider.latestRenewal().reject(new RenewalRefused('invalid_grant'));
      await vi.advanceTimersByTimeAsync(0);

      // Assess
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'expired' });
    });
  });

  describe('signing in and out', () => {
    it('leaves for the issuer to sign in, to come back where the person was', async () => {
      // Prepare
      const { session, provider, states } = startHarness();
      await session.start('https://chat.example/#support', undefined);

      // Act
      await session.signIn('https://chat.example/#support');

      // Assess
      expect(provider.signIns).toEqual(['https://chat.example/#support']);
      expect(states.at(-1)).toEqual({ kind: 'redirecting', to: 'sign-in' });
    });

    it('says so when the issuer cannot be reached to sign in', async () => {
      // Prepare
      const { session, provider, states } = startHarness();
      await session.start('https://chat.example/', undefined);
      provider.signInFails = true;

      // Act
      await session.signIn('https://chat.example/');

      // Assess
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'unavailable' });
    });

    it('forgets the tokens and leaves for the issuer to sign out, renewing nothing after', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();

      // Act
      await session.signOut();
      vi.advanceTimersByTime(2 * hour);

      // Assess
      expect(provider.signOuts).toBe(1);
      expect(states.at(-1)).toEqual({ kind: 'redirecting', to: 'sign-out' });
      expect(await session.handshakeToken()).toBeUndefined();
      expect(provider.renewals).toHaveLength(0);
    });

    it('is signed out of the page when the issuer has no sign-out to go to', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();
      provider.signOutLeaves = false;

      // Act
      await session.signOut();

      // Assess
      expect(states.at(-1)).toEqual({ kind: 'signed-out', reason: 'signed-out' });
    });

    it('drops a renewal that comes back after signing out', async () => {
      // Prepare
      const { session, provider, states } = await signedInAsAlice();
      session.handshakeFailed();
      const token = session.handshakeToken();

      // Act
      await session.signOut();
      provider.latestRenewal().resolve(tokensFor('alice'));

      // Assess
      expect(await token).toBeUndefined();
      expect(states.at(-1)).toEqual({ kind: 'redirecting', to: 'sign-out' });
    });
  });
});
