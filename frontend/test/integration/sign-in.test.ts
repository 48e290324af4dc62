/**
 * The page with sign-in, in Chromium: a real OpenID Connect issuer (oidc-provider, its login
 * form), the page and its `config.js` and CSP rendered from the Terraform templates with an `auth`
 * key, and a chat server played by the test that checks every handshake with the authorizer's own
 * code (support/signed-in-chat.ts). The same flow against the local stack's own issuer and
 * authorizer is in `sign-in-stack.test.ts`.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { axeViolations, installAxe } from '../support/axe.ts';
import { hasChromium, launchChromium, missingChromiumMessage } from '../support/browser.ts';
import { type SignedInChat, signedInChat } from '../support/signed-in-chat.ts';
import { type SignedInSite, startSignedInSite } from '../support/signed-in-site.ts';
import { signInOnDevForm, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

const artifactsDir = fileURLToPath(new URL('../../../test-results', import.meta.url));
/** Never reached: the test answers every WebSocket to it. */
const chatUrl = 'ws://127.0.0.1:9/prod';
const phone = { width: 390, height: 844 } as const;

/** One person's browser: a context of its own (own storage), its page, what went wrong on it. */
interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors and console errors of the chat page (not the issuer's pages). */
  readonly errors: string[];
  /** Console errors for the issuer's answers the page was meant to handle (a refused renewal). */
  readonly issuerRefusals: string[];
  /** Requests the page made to the issuer, in order. */
  readonly issuerRequests: Request[];
}

const underCi = process.env.CI === 'true';
if (!hasChromium && !underCi) console.warn(`Skipping the sign-in tests. ${missingChromiumMessage}`);

describe.runIf(!hasChromium && underCi)('the page with sign-in under CI', () => {
  it('has Chromium', () => {
    throw new Error(missingChromiumMessage);
  });
});

describe.skipIf(!hasChromium)('the page with sign-in, in Chromium', () => {
  let site: SignedInSite | undefined;
  let issuer: TestIssuer | undefined;
  let browser: Browser | undefined;
  let pageUrl = '';
  const people: Person[] = [];

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} did not start`);
    return value;
  };

  beforeAll(async () => {
    site = await startSignedInSite();
    pageUrl = site.pageUrl;
    issuer = await startTestIssuer({
      redirectUri: pageUrl,
      users: { alice: { name: 'Alice Liddell' }, bob: { name: 'Bob' } },
    });
    await site.configure({ websocketUrl: chatUrl, issuer: issuer.url, clientId: issuer.clientId });
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const person of people.splice(0)) {
      // Every page must have run without errors, CSP violations included.
      expect(person.errors).toEqual([]);
      await person.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await issuer?.stop();
    await site?.stop();
  });

  /** A new chat server for one test. */
  function newChat(): SignedInChat {
    const { url, clientId } = started(issuer, 'issuer');
    return signedInChat(chatUrl, url, clientId);
  }

  /** Opens the page at `url` for a new person in a browser of their own. */
  async function open(
    chat: SignedInChat,
    url: string,
    prepare: (page: Page) => Promise<unknown> = async () => undefined,
  ): Promise<Person> {
    const { url: issuerUrl } = started(issuer, 'issuer');
    const context = await started(browser, 'browser').newContext({
      viewport: { width: 760, height: 720 },
    });
    context.setDefaultTimeout(10_000);
    await context.route(
      (address) => !['127.0.0.1', 'localhost'].includes(address.hostname),
      (route) => route.abort('blockedbyclient'),
    );
    await chat.attach(context);
    const page = await context.newPage();
    const errors: string[] = [];
    const issuerRequests: Request[] = [];
    const onPage = (): boolean => page.url().startsWith(pageUrl);
    page.on('pageerror', (error) => errors.push(error.message));
    const issuerRefusals: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error' || !onPage()) return;
      // Chromium logs every 4xx; one from the issuer's token endpoint is an answer the page handles.
      if (message.location().url.startsWith(`${issuerUrl}/token`))
        issuerRefusals.push(message.text());
      else errors.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().startsWith(issuerUrl)) issuerRequests.push(request);
    });
    await prepare(page);
    await page.goto(url);
    const person = { context, page, errors, issuerRefusals, issuerRequests };
    people.push(person);
    return person;
  }

  /** Signs in on the issuer's login form as `login`, as a person would. */
  async function signIn(person: Person, login: string): Promise<void> {
    const { page } = person;
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signInOnDevForm(page, login);
    await page.locator('#account-text', { hasText: 'Signed in as' }).waitFor();
  }

  async function say(person: Person, text: string): Promise<void> {
    const draft = person.page.getByLabel('Message', { exact: true });
    await draft.fill(text);
    await draft.press('Enter');
  }

  const connected = (person: Person) =>
    person.page.locator('#status-text', { hasText: /^Connected$/ }).waitFor();

  it('signs two people in with the code flow and PKCE, chats under their verified names, and signs out', async () => {
    // Prepare
    const chat = newChat();
    const alice = await open(chat, `${pageUrl}#signed`);
    const bob = await open(chat, `${pageUrl}#signed`);
    const signedOut = {
      account: await alice.page.locator('#account-text').textContent(),
      status: await alice.page.locator('#status-text').textContent(),
      nameFieldShown: await alice.page.getByLabel('Your name').isVisible(),
      composerEnabled: await alice.page.getByLabel('Message', { exact: true }).isEnabled(),
      handshakes: chat.handshakes.length,
    };

    // Act
    await signIn(alice, 'alice');
    await connected(alice);
    await signIn(bob, 'bob');
    await connected(bob);
    await say(alice, 'Hello Bob, it is really me.');
    const atBob = bob.page.locator('.message:not(.own)', { hasText: 'really me' });
    await atBob.waitFor();
    await say(bob, 'Hello Alice!');
    const atAlice = alice.page.locator('.message:not(.own)', { hasText: 'Hello Alice' });
    await atAlice.waitFor();
    await alice.page.locator('.message.own[data-delivery="sent"]').waitFor();
    const signedIn = {
      account: await alice.page.locator('#account-text').textContent(),
      address: alice.page.url(),
      nameFieldShown: await alice.page.getByLabel('Your name').isVisible(),
      own: await alice.page.locator('.message.own .sender').textContent(),
      atBob: await atBob.locator('.sender').textContent(),
      atAlice: await atAlice.locator('.sender').textContent(),
    };
    const authorize = new URL(
      alice.issuerRequests.find((request) => new URL(request.url()).pathname === '/auth')?.url() ??
        'http://missing/',
    ).searchParams;
    const tokenRequest = alice.issuerRequests.find(
      (request) => new URL(request.url()).pathname === '/token',
    );
    const tokenForm = new URLSearchParams(tokenRequest?.postData() ?? '');
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await alice.page.locator('#account-text', { hasText: 'Sign in to chat.' }).waitFor();
    const afterSignOut = {
      address: alice.page.url(),
      status: await alice.page.locator('#status-text').textContent(),
      kept: await alice.page.evaluate(() => {
        const { sessionStorage } = globalThis as unknown as { sessionStorage: { length: number } };
        return sessionStorage.length;
      }),
    };

    // Assess: signed out, the page offers to sign in and connects nowhere
    expect(signedOut).toEqual({
      account: 'Sign in to chat.',
      status: 'Signed out',
      nameFieldShown: false,
      composerEnabled: false,
      handshakes: 0,
    });
    // Assess: the authorization code flow with PKCE (S256), the verifier only in the token request
    expect({
      responseType: authorize.get('response_type'),
      method: authorize.get('code_challenge_method'),
      challenge: authorize.get('code_challenge')?.length,
      verifierInUrl: authorize.has('code_verifier'),
      redirectUri: authorize.get('redirect_uri'),
      scope: authorize.get('scope'),
      grant: tokenForm.get('grant_type'),
      verifier: (tokenForm.get('code_verifier') ?? '').length >= 43,
    }).toEqual({
      responseType: 'code',
      method: 'S256',
      challenge: 43,
      verifierInUrl: false,
      redirectUri: pageUrl,
      scope: 'openid profile',
      grant: 'authorization_code',
      verifier: true,
    });
    // Assess: back in the room, under verified names, with no name field and no name sent
    expect(signedIn).toEqual({
      account: 'Signed in as Alice Liddell',
      address: `${pageUrl}#signed`,
      nameFieldShown: false,
      own: 'Alice Liddell (you)',
      atBob: 'Alice Liddell',
      atAlice: 'Bob',
    });
    expect(
      chat.handshakes.map((handshake) => [handshake.protocols[0], handshake.accepted]),
    ).toEqual([
      [contract.auth.subprotocol, true],
      [contract.auth.subprotocol, true],
    ]);
    expect(
      chat.frames.filter((frame) => 'message' in frame).every((frame) => !('senderName' in frame)),
    ).toBe(true);
    // Assess: signed out at the issuer and back on the page, with nothing kept
    expect(afterSignOut).toEqual({ address: pageUrl, status: 'Signed out', kept: 0 });
    expect(chat.handshakes).toHaveLength(2);
  });

  it("knows the person's own messages by their sender id, from another tab and after a reload", async () => {
    // Prepare: Alice signs in twice (the issuer's session makes the second a click)
    const chat = newChat();
    const first = await open(chat, `${pageUrl}#tabs`);
    await signIn(first, 'alice');
    await connected(first);
    const second = await first.context.newPage();
    await second.goto(`${pageUrl}#tabs`);
    await second.getByRole('button', { name: 'Sign in', exact: true }).click();
    await second.locator('#status-text', { hasText: /^Connected$/ }).waitFor();

    // Act
    await say(first, 'Written in my first tab');
    const inSecond = second.locator('.message', { hasText: 'Written in my first tab' });
    await inSecond.waitFor();
    const live = await inSecond.getAttribute('class');
    await second.reload();
    await second.locator('.message', { hasText: 'Written in my first tab' }).waitFor();
    const afterReload = await second.locator('.message').getAttribute('class');

    // Assess: on her own side, as hers, both live and from history
    expect(live).toBe('message own');
    expect(afterReload).toBe('message own');
    expect(await second.locator('.message .sender').textContent()).toBe('Alice Liddell (you)');
    await second.close();
  });

  it('renews the token before it expires, and connects again with the new one', async () => {
    // Prepare: the page's clock is the test's
    const chat = newChat();
    const alice = await open(chat, `${pageUrl}#renew`, (page) => page.clock.install());
    await signIn(alice, 'alice');
    await connected(alice);
    const renewal = alice.page.waitForRequest(
      (request) =>
        new URL(request.url()).pathname === '/token' &&
        new URLSearchParams(request.postData() ?? '').get('grant_type') === 'refresh_token',
    );

    // The issuer stamps tokens to the second: past this one, the renewed token differs.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    // Act: 55 minutes on, 5 before the hour-long token expires; then the server drops the socket
    await alice.page.clock.fastForward('55:00');
    const renewed = (await (await (await renewal).response())?.json()) as { id_token?: string };
    await chat.dropAll();
    await alice.page.locator('.system', { hasText: 'Connection lost' }).waitFor();
    await alice.page.clock.fastForward('00:02');
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();

    // Assess: the reconnect offered the renewed token
    const [first, second] = chat.handshakes;
    expect(chat.handshakes.map((handshake) => handshake.accepted)).toEqual([true, true]);
    expect(renewed.id_token).not.toBe(first?.token);
    expect(second?.token).toBe(renewed.id_token);
  });

  it('renews once after a refused handshake, and when renewing is refused asks to sign in again, with no loop', async () => {
    // Prepare
    const chat = newChat();
    const alice = await open(chat, `${pageUrl}#refused`, (page) => page.clock.install());
    await signIn(alice, 'alice');
    await connected(alice);
    const refreshes = () =>
      alice.issuerRequests.filter(
        (request) =>
          new URLSearchParams(request.postData() ?? '').get('grant_type') === 'refresh_token',
      ).length;

    // Act 1: one handshake refused: the page renews, and the next is accepted
    chat.refuseNext(1);
    await chat.dropAll();
    await alice.page.clock.fastForward('00:02');
    await alice.page.locator('#status-text', { hasText: /^Reconnecting in/ }).waitFor();
    await alice.page.clock.fastForward('00:03');
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();
    const afterOneRefusal = {
      accepted: chat.handshakes.map((handshake) => handshake.accepted),
      refreshes: refreshes(),
    };

    // Act 2: refused again, and the issuer refuses to renew (the refresh token was revoked)
    await alice.context.route(
      (url) => url.pathname === '/token',
      (route) =>
        new URLSearchParams(route.request().postData() ?? '').get('grant_type') === 'refresh_token'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              headers: { 'access-control-allow-origin': new URL(pageUrl).origin },
              body: JSON.stringify({ error: 'invalid_grant', error_description: 'grant revoked' }),
            })
          : route.fallback(),
    );
    chat.refuseNext(1_000);
    await chat.dropAll();
    await alice.page.clock.fastForward('00:02');
    await alice.page.locator('#status-text', { hasText: /^Reconnecting in/ }).waitFor();
    await alice.page.clock.fastForward('00:03');
    const notice = alice.page.locator('.system.error', { hasText: 'did not accept your sign-in' });
    await notice.waitFor();
    const handshakesWhenAsked = chat.handshakes.length;
    await alice.page.clock.fastForward('10:00');

    // Assess
    expect(afterOneRefusal).toEqual({ accepted: [true, false, true], refreshes: 1 });
    expect(await notice.locator('.system-text').textContent()).toBe(
      'The chat server did not accept your sign-in. Sign in again to chat.',
    );
    expect(await alice.page.locator('#status-text').textContent()).toBe('Signed out');
    expect(await alice.page.getByRole('button', { name: 'Sign in', exact: true }).isVisible()).toBe(
      true,
    );
    expect(chat.handshakes.length).toBe(handshakesWhenAsked);
    expect(refreshes()).toBe(2);
    expect(alice.issuerRefusals).toEqual([
      expect.stringContaining('the server responded with a status of 400'),
    ]);
  });

  it('says so when the server closes the connection for flooding, and reconnects only once it takes us again', async () => {
    // Prepare
    const chat = newChat();
    const alice = await open(chat, `${pageUrl}#flood`, (page) => page.clock.install());
    await signIn(alice, 'alice');
    await connected(alice);

    // Act: the server's last word, then it closes the connection and refuses new ones for 5 s
    chat.broadcast({
      type: 'error',
      code: 'too_many_frames',
      message: 'Far too many frames over the rate limit: this connection is closed.',
      retryAfterMs: 5_000,
    });
    const notice = alice.page.locator('.system.error', { hasText: 'closed the connection' });
    await notice.waitFor();
    await chat.dropAll();
    await alice.page.locator('.system', { hasText: 'Connection lost' }).waitFor();
    await alice.page.clock.fastForward('00:04');
    const handshakesWhileHeld = chat.handshakes.length;
    await alice.page.clock.fastForward('00:02');
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();

    // Assess
    expect(await notice.locator('.system-text').textContent()).toBe(
      'Far too much sent too fast: the server closed the connection. The page reconnects in 5 s and sends what is still waiting.',
    );
    expect(handshakesWhileHeld).toBe(1);
    expect(chat.handshakes).toHaveLength(2);
  });

  it('sends no expired token, and handles a forged one the server refuses by asking to sign in again', async () => {
    // Prepare: tabs that kept a token without a refresh token: one expired, one forged
    const { url: issuerUrl, clientId } = started(issuer, 'issuer');
    const part = (value: object): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = (claims: object): string =>
      `${part({ alg: 'RS256', kid: 'test-key' })}.${part({ iss: issuerUrl, aud: clientId, sub: 'mallory', name: 'Alice Liddell', iat: now - 60, ...claims })}.${part({ not: 'a signature' })}`;
    const keep = (idToken: string) => (page: Page) =>
      page.addInitScript(
        ([key, value]) => {
          const { sessionStorage } = globalThis as unknown as {
            sessionStorage: { setItem(key: string, value: string): void };
          };
          sessionStorage.setItem(key, value);
        },
        [
          `oidc.user:${issuerUrl}:${clientId}`,
          JSON.stringify({
            id_token: idToken,
            access_token: 'x',
            token_type: 'Bearer',
            profile: {},
          }),
        ] as const,
      );
    const chat = newChat();

    // Act
    const expired = await open(chat, `${pageUrl}#forged`, keep(unsigned({ exp: now - 10 })));
    await expired.page.locator('.system.error', { hasText: 'expired' }).waitFor();
    const forged = await open(chat, `${pageUrl}#forged`, keep(unsigned({ exp: now + 3600 })));
    await forged.page.locator('.system.error', { hasText: 'did not accept' }).waitFor();

    // Assess: the expired token never went out; the forged one went once and was refused
    expect(await expired.page.locator('#status-text').textContent()).toBe('Signed out');
    expect(chat.handshakes.map((handshake) => handshake.accepted)).toEqual([false]);
    expect(await forged.page.locator('#account-text').textContent()).toBe(
      'The chat server did not accept your sign-in. Sign in again to chat.',
    );
  });

  it('passes axe-core in light and dark mode and fits a 390 px phone, signed out and signed in', async () => {
    // Prepare
    const chat = newChat();
    const alice = await open(chat, `${pageUrl}#phone`, installAxe);
    await alice.page.setViewportSize(phone);
    await mkdir(artifactsDir, { recursive: true });
    const look = async (state: string) => {
      const overflow = await alice.page.evaluate(() => {
        const { document } = globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        };
        return document.documentElement.scrollWidth - document.documentElement.clientWidth;
      });
      const button = await alice.page.locator('#account-button').boundingBox();
      const result = {
        overflow,
        buttonOnScreen: button !== null && button.x >= 0 && button.x + button.width <= phone.width,
        light: await axeViolations(alice.page, 'light'),
        dark: await axeViolations(alice.page, 'dark'),
      };
      for (const scheme of ['light', 'dark'] as const) {
        await alice.page.emulateMedia({ colorScheme: scheme });
        await alice.page.screenshot({
          path: `${artifactsDir}/sign-in-${state}-${scheme}-phone.png`,
        });
      }
      return result;
    };

    // Act
    const signedOut = await look('signed-out');
    await signIn(alice, 'alice');
    await connected(alice);
    await say(alice, 'Signed in on a phone');
    await alice.page.locator('.message.own[data-delivery="sent"]').waitFor();
    const signedIn = await look('signed-in');
    await alice.page.setViewportSize({ width: 760, height: 720 });
    await alice.page.emulateMedia({ colorScheme: 'light' });
    await alice.page.screenshot({ path: `${artifactsDir}/sign-in-signed-in.png` });

    // Assess
    const fine = { overflow: 0, buttonOnScreen: true, light: [], dark: [] };
    expect({ signedOut, signedIn }).toEqual({ signedOut: fine, signedIn: fine });
  });
});
