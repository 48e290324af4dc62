/**
 * Issue 20's end-to-end test, against the local stack's own sign-in (`npm start -- --auth`): its
 * OpenID Connect issuer with the dev users, the authorizer bundle run by the local gateway, the
 * chat function in `oidc` mode, and the page rendered with sign-in. Two people sign in, chat under
 * their verified names and sign out; a forged token and an expired one are refused at the
 * handshake. The page's side of the same flow also runs against a test issuer and the
 * authorizer's own code: `sign-in.test.ts`.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { type LocalStack, startLocalStack } from '../../../tools/local-stack/src/stack.ts';
import { hasChromium, launchChromium, missingChromiumMessage } from '../support/browser.ts';

/** The issuer's signing key, the test's own, so it can also mint a token that has expired. */
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SIGNING_KEY = { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-key' };

if (!hasChromium) console.warn(`Skipping the local stack's sign-in. ${missingChromiumMessage}`);

describe.skipIf(!hasChromium)("the page with the local stack's sign-in", () => {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({
      httpPort: 0,
      wsPort: 0,
      dynamoPort: 0,
      sqsPort: 0,
      log: () => undefined,
      auth: { issuerPort: 0, signingKey: SIGNING_KEY },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The running stack's sign-in. */
  function signIn(): NonNullable<LocalStack['auth']> & {
    readonly pageUrl: string;
    readonly websocketUrl: string;
  } {
    if (stack?.auth === undefined) throw new Error('the local stack started without sign-in');
    return { ...stack.auth, pageUrl: stack.pageUrl, websocketUrl: stack.websocketUrl };
  }

  /** Opens the page in a browser of its own and signs in as `login` on the issuer's dev login. */
  async function signedIn(pageUrl: string, login: string): Promise<Page> {
    if (browser === undefined) throw new Error('the browser did not start');
    const context = await browser.newContext({ viewport: { width: 760, height: 720 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(pageUrl);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(`\\(${login}\\)`) }).click();
    await page.locator('#status-text', { hasText: /^Connected$/ }).waitFor();
    return page;
  }

  it('signs two dev users in, lets them chat under their verified names, and signs one out', async () => {
    // Prepare
    const url = `${signIn().pageUrl}#e2e`;
    const alice = await signedIn(url, 'alice');
    const bob = await signedIn(url, 'bob');

    // Act
    const draft = (page: Page) => page.getByLabel('Message', { exact: true });
    await draft(alice).fill('Hello from the local issuer');
    await draft(alice).press('Enter');
    const atBob = bob.locator('.message:not(.own)', { hasText: 'Hello from the local issuer' });
    await atBob.waitFor();
    await draft(bob).fill('Verified, Bob here');
    await draft(bob).press('Enter');
    const atAlice = alice.locator('.message:not(.own)', { hasText: 'Verified, Bob here' });
    await atAlice.waitFor();
    const names = {
      aliceAccount: await alice.locator('#account-text').textContent(),
      atBob: await atBob.locator('.sender').textContent(),
      atAlice: await atAlice.locator('.sender').textContent(),
      own: await alice.locator('.message.own .sender').textContent(),
    };
    await alice.getByRole('button', { name: 'Sign out' }).click();
    const confirm = alice.getByRole('button', { name: 'Yes, sign me out' });
    if (await confirm.isVisible()) await confirm.click();
    await alice.locator('#account-text', { hasText: 'Sign in to chat.' }).waitFor();

    // Assess: each sees the other's verified name (the dev users' names), and signed out the
    // page connects nowhere
    expect(names.atBob).toBe('Alice Liddell');
    expect(names.aliceAccount).toBe('Signed in as Alice Liddell');
    expect(names.atAlice).toBe('Bob Builder');
    expect(names.own).toBe('Alice Liddell (you)');
    expect(await alice.locator('#status-text').textContent()).toBe('Signed out');
    await alice.context().close();
    await bob.context().close();
  });

  it('refuses a forged token at the handshake, before the socket opens', async () => {
    // Prepare: a token naming the issuer and the page's client, signed with a key of the test's
    const { privateKey: forgerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { issuer, clientId, pageUrl, websocketUrl } = signIn();
    const forged = token({ iss: issuer, aud: clientId, sub: 'mallory', name: 'Alice' }, 600, {
      kid: SIGNING_KEY.kid,
      key: forgerKey,
    });

    // Act
    const status = await handshakeStatus(`${websocketUrl}?room=e2e&v=3`, forged, pageUrl);

    // Assess
    expect(status).toBe(401);
  });

  it("refuses an expired token signed with the issuer's own key", async () => {
    // Prepare: the issuer's key, the right issuer and audience, but an expiry a minute ago
    const { issuer, clientId, pageUrl, websocketUrl } = signIn();
    const expired = token({ iss: issuer, aud: clientId, sub: 'dev-alice', name: 'Alice' }, -60, {
      kid: SIGNING_KEY.kid,
      key: createPrivateKey({ key: SIGNING_KEY, format: 'jwk' }),
    });

    // Act
    const status = await handshakeStatus(`${websocketUrl}?room=e2e&v=3`, expired, pageUrl);

    // Assess
    expect(status).toBe(401);
  });
});

/** An RS256 ID token with `claims`, valid for `seconds` from now (negative: already expired). */
function token(
  claims: Record<string, unknown>,
  seconds: number,
  signer: { readonly kid: string; readonly key: ReturnType<typeof createPrivateKey> },
): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })}.${part({
    ...claims,
    iat: now - 120,
    exp: now + seconds,
  })}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), signer.key).toString('base64url')}`;
}
/** The HTTP status of a handshake offering `token`; 101 when it was accepted. */
function handshakeStatus(url: string, token: string, pageUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      url,
      [contract.auth.subprotocol, `${contract.auth.tokenSubprotocolPrefix}${token}`],
      {
        origin: new URL(pageUrl).origin,
      },
    );
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', reject);
  });
}
