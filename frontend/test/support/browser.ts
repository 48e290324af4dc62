/**
 * Browser plumbing for the end-to-end tests: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), and a chat page opened as one member in a browser context of their own.
 */
import { existsSync } from 'node:fs';
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { LocalStack } from '../../../tools/local-stack/src/stack.ts';
import { managementClient } from '../../../tools/local-stack/test/support/helpers.ts';

/** Where Debian's `chromium` package installs the browser; `CHROMIUM_BIN` points elsewhere. */
export const chromiumPath: string = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** Whether the browser suite can run here. */
export const hasChromium: boolean = existsSync(chromiumPath);

/** Said when the suite is skipped, and the failure under CI. */
export const missingChromiumMessage = `Browser tests need Chromium at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_BIN)`;

/**
 * Launches headless Chromium. Playwright's `launch` gives every run a fresh, throw-away user-data
 * folder of its own, so no profile state leaks between runs.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One chat member: their own browser context (own storage), page and what the page did. */
export interface Member {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Texts of any `alert`/`confirm`/`prompt` the page opened (there should be none). */
  readonly dialogs: string[];
  /** How often the page asked "leave this page?" (it was dismissed, so the page stayed). */
  readonly leavePrompts: { count: number };
  /** Uncaught page errors and console errors, CSP violations included. */
  readonly errors: string[];
}

/** How to open a member's page. */
export interface OpenOptions {
  readonly name: string;
  readonly email?: string;
  /** Runs on the fresh page before it loads the chat (routes, clock). */
  readonly beforeLoad?: (page: Page) => Promise<unknown>;
  /** Whether to wait until the page says it is connected; false for a page that must not. */
  readonly waitUntilConnected?: boolean;
  /**
   * The hosts the page may reach (besides Gravatar, which the test answers): the local stack's by
   * default; a deployed stack's page and API for the behaviour suite.
   */
  readonly allowedHosts?: readonly string[];
}

/** Where the local stack serves the page and the API. */
const LOCAL_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

/**
 * An SVG standing in for Gravatar: the tests never reach the internet, so Gravatar requests are
 * answered here, with an image for `knownHash` and a 404 (as `d=404` asks) for everyone else.
 */
export function fakeGravatar(knownHash: string): (context: BrowserContext) => Promise<unknown> {
  const image = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 80"><rect width="80" height="80" fill="#ffb74d"/><circle cx="40" cy="32" r="16" fill="#6d4c41"/><rect x="16" y="54" width="48" height="30" rx="15" fill="#6d4c41"/></svg>`;
  return (context) =>
    context.route(/^https:\/\/(www\.)?gravatar\.com\//, (route) =>
      new URL(route.request().url()).pathname.endsWith(knownHash)
        ? route.fulfill({ status: 200, contentType: 'image/svg+xml', body: image })
        : route.fulfill({ status: 404, body: '' }),
    );
}

/**
 * Opens the chat as a new member, enters their profile and waits until the page says it is
 * connected.
 */
export async function openMember(
  browser: Browser,
  pageUrl: string,
  options: OpenOptions,
  prepareContext?: (context: BrowserContext) => Promise<unknown>,
): Promise<Member> {
  const context = await browser.newContext({ viewport: { width: 760, height: 720 } });
  // Shorter than the test timeout, so a wait that never ends fails naming what it waited for.
  context.setDefaultTimeout(10_000);
  await prepareContext?.(context);
  // Nothing outside the stack is reachable in tests; fail such requests fast and visibly.
  const allowedHosts = options.allowedHosts ?? LOCAL_HOSTS;
  await context.route(
    (url) => !allowedHosts.includes(url.hostname) && !url.hostname.endsWith('gravatar.com'),
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  const dialogs: string[] = [];
  const leavePrompts = { count: 0 };
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') leavePrompts.count += 1;
    else dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !isExpectedNetworkNoise(message.text())) {
      errors.push(message.text());
    }
  });
  await options.beforeLoad?.(page);
  await page.goto(pageUrl);
  await page.getByLabel('Your name').fill(options.name);
  if (options.email !== undefined) await page.getByLabel(/Gravatar email/).fill(options.email);
  if (options.waitUntilConnected !== false) {
    await page.locator('#status-text', { hasText: /^Connected$/ }).waitFor();
  }
  return { context, page, dialogs, leavePrompts, errors };
}

/** Console errors a working page still logs: the 404 Gravatar gives for unknown addresses. */
function isExpectedNetworkNoise(text: string): boolean {
  return text.includes('the server responded with a status of 404');
}

/** Types a message and presses Enter, as a member would. */
export async function say(member: Member, text: string): Promise<void> {
  const draft = member.page.getByLabel('Message', { exact: true });
  await draft.fill(text);
  await draft.press('Enter');
}

/**
 * Serves the page a `config.js` whose message limit is `limit` instead of the Lambda's, as a page
 * deployed out of step with its backend would have: the page then lets through messages the
 * server refuses. Call before `goto`.
 */
export async function raisePageLimit(page: Page, limit: number): Promise<void> {
  await page.route('**/config.js', async (route) => {
    const rendered = await (await route.fetch()).text();
    const raised = rendered.replace(/"maxMessageLength":\d+/, `"maxMessageLength":${limit}`);
    if (raised === rendered) throw new Error('config.js has no maxMessageLength to raise');
    await route.fulfill({ body: raised, contentType: 'text/javascript' });
  });
}

/**
 * Has the server drop a member's connection, with `DELETE @connections/{id}` through the real
 * management client, while the member's clock stands still: the page's reconnect then waits until
 * the test calls `member.page.clock.resume()`. The page must have been opened with
 * `beforeLoad: (page) => page.clock.install()`. Returns once the page says the connection is lost.
 */
export async function dropConnectionAndHoldReconnect(
  member: Member,
  stack: LocalStack,
  connectionId: string,
): Promise<void> {
  const pageNow = await member.page.evaluate(() => Date.now());
  await member.page.clock.pauseAt(pageNow + 1_000);
  const management = managementClient(stack);
  try {
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } finally {
    management.destroy();
  }
  await member.page.locator('.system.error', { hasText: 'Connection lost' }).waitFor();
}
