/**
 * Issue 20's end-to-end test, against the local stack's own sign-in (`npm start -- --auth`): its
 * OpenID Connect issuer with the dev users, the authorizer bundle run by the local gateway, the
 * chat function in `oidc` mode, and the page rendered with sign-in. Two people sign in, chat under
 * their verified names and sign out; a forged token is refused at the handshake.
 *
 * It waits for the local stack's sign-in: the stack is started with `auth: true` (what `--auth`
 * asks for) and is expected to name its issuer as `issuerUrl`. Until it does, every test here is
 * skipped, saying so. The page's side of the same flow runs today against a test issuer and the
 * authorizer's own code: `sign-in.test.ts`.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import contract from '../../../contract/contract.json' with { type: 'json' };
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../tools/local-stack/src/stack.ts';
import { hasChromium, launchChromium, missingChromiumMessage } from '../support/browser.ts';
import { signInOnDevForm } from '../support/test-issuer.ts';

/** The local stack with sign-in, as `npm start -- --auth` is expected to start it. */
type SignInStack = LocalStack & { readonly issuerUrl?: string };

/** The option behind `--auth`; not in LocalStackOptions until the local stack signs in. */
const withSignIn = { auth: true } as unknown as LocalStackOptions;

const waiting = 'waits for the local stack to sign in (npm start -- --auth)';

if (!hasChromium) console.warn(`Skipping the local stack's sign-in. ${missingChromiumMessage}`);

describe.skipIf(!hasChromium)("the page with the local stack's sign-in", () => {
  let stack: SignInStack | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({
      httpPort: 0,
      wsPort: 0,
      dynamoPort: 0,
      log: () => undefined,
      ...withSignIn,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The running stack, if it signs in. */
  function signingInStack(): (SignInStack & { issuerUrl: string }) | undefined {
    return stack?.issuerUrl === undefined
      ? undefined
      : (stack as SignInStack & { issuerUrl: string });
  }

  /** Opens the page in a browser of its own and signs in as `login` on the issuer's form. */
  async function signedIn(pageUrl: string, login: string): Promise<Page> {
    if (browser === undefined) throw new Error('the browser did not start');
    const context = await browser.newContext({ viewport: { width: 760, height: 720 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(pageUrl);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signInOnDevForm(page, login);
    await page.locator('#status-text', { hasText: /^Connected$/ }).waitFor();
    return page;
  }

  it('signs two dev users in, lets them chat under their verified names, and signs one out', async (context) => {
    const signing = signingInStack();
    if (signing === undefined) return context.skip(waiting);
    // Prepare
    const url = `${signing.pageUrl}#e2e`;
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

    // Assess: each sees the other's verified name, and signed out the page connects nowhere
    expect(names.atBob).toBe(names.aliceAccount?.replace(/^Signed in as /, ''));
    expect(names.atAlice).not.toBe(names.atBob);
    expect(names.own).toBe(`${names.atBob} (you)`);
    expect(await alice.locator('#status-text').textContent()).toBe('Signed out');
    await alice.context().close();
    await bob.context().close();
  });

  it('refuses a forged token at the handshake, before the socket opens', async (context) => {
    const signing = signingInStack();
    if (signing === undefined) return context.skip(waiting);
    // Prepare: a token naming the issuer and the page's client, signed with a key of the test's
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const part = (value: object): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'RS256', kid: 'forged', typ: 'JWT' })}.${part({
      iss: signing.issuerUrl,
      sub: 'mallory',
      name: 'Alice',
      iat: now,
      exp: now + 600,
    })}`;
    const forged = `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;

    // Act
    const status = await handshakeStatus(
      `${signing.websocketUrl}?room=e2e&v=3`,
      forged,
      signing.pageUrl,
    );

    // Assess
    expect(status).toBe(401);
  });

  it.todo(
    'refuses an expired token: needs the local issuer to mint one (npm run dev-token) with a past expiry',
  );
});

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
