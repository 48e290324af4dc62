/**
 * The chat page in a real browser (Debian's Chromium) against the real local stack: the same
 * Lambda bundle, the `@connections` API and DynamoDB stand-in, and the page and `config.js`
 * rendered from the Terraform templates.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { roomMemberIds } from '../../../tools/local-stack/test/support/helpers.ts';
import {
  dropConnectionAndHoldReconnect,
  fakeGravatar,
  type Member,
  type OpenOptions,
  raisePageLimit,
  say,
} from '../support/browser.ts';
import { describeInChromium } from '../support/suite.ts';

const aliceEmail = 'Alice@Example.com';
const aliceHash = createHash('sha256').update(aliceEmail.toLowerCase()).digest('hex');

describeInChromium('chat page in Chromium', (suite) => {
  /** Opens the chat as a member; Gravatar is answered by the test, knowing only Alice's hash. */
  function join(
    name: string,
    options: Partial<OpenOptions> & { readonly url?: string } = {},
  ): Promise<Member> {
    return suite.join(name, { ...options, prepareContext: fakeGravatar(aliceHash) });
  }

  it('shows HTML in a message as literal text and runs none of it', async () => {
    // Prepare
    const alice = await join('Alice');
    const bob = await join('Bob');
    const payload = '<img src=x onerror=alert(1)>';

    // Act
    await say(alice, payload);
    const received = bob.page.locator('.message:not(.own)', { hasText: payload });
    await received.waitFor();

    // Assess: the text is there verbatim, and no element was made from it on either side
    expect(await received.locator('.text').textContent()).toBe(payload);
    for (const member of [alice, bob]) {
      expect(await member.page.locator('.message .text *').count()).toBe(0);
      expect(await member.page.locator('#messages img:not(.avatar-image)').count()).toBe(0);
    }
    // afterEach asserts that neither page opened a dialog.
  });

  it('refuses empty and over-long messages in the page, before the server has to', async () => {
    // Prepare
    const alice = await join('Alice');
    const limit = contract.limits.maxMessageLength;

    // Act
    await say(alice, '   ');
    const emptyError = await alice.page.locator('#draft-error').textContent();
    await say(alice, 'x'.repeat(limit + 3));
    const longError = await alice.page.locator('#draft-error').textContent();

    // Assess
    expect(emptyError).toBe('Write something first.');
    expect(longError).toBe(`Too long by 3 characters (the limit is ${limit}).`);
    expect(await alice.page.locator('#draft-count').textContent()).toBe(`${limit + 3} / ${limit}`);
    // Nothing of Alice's went out (the room's history from earlier tests may show others').
    expect(await alice.page.locator('.message.own').count()).toBe(0);
  });

  it("shows the server's error when it refuses a message the page let through", async () => {
    // Prepare: a config.js out of step with the Lambda (say, a page deployed with a higher limit)
    const limit = contract.limits.maxMessageLength;
    const alice = await join('Alice', {
      beforeLoad: (page) => raisePageLimit(page, limit * 2),
    });

    // Act
    await say(alice, 'y'.repeat(limit + 1));
    const refusal = alice.page.locator('.system.error', {
      hasText: 'The server refused a message',
    });
    await refusal.waitFor();

    // Assess
    expect(await refusal.textContent()).toContain(`at most ${limit} characters`);
    expect(await alice.page.locator('#status-text').textContent()).toBe('Connected');
  });

  it('reconnects by itself after the server drops the connection, and sends what was typed meanwhile exactly once', async () => {
    // Prepare: Alice joins #reconnect alone, so the room's one member is her; her timers run on a
    // clock the test controls, so her reconnect waits for us
    const url = `${suite.stack.pageUrl}#reconnect`;
    const alice = await join('Alice', { url, beforeLoad: (page) => page.clock.install() });
    const aliceIds = await roomMemberIds(suite.stack, 'reconnect');
    expect(aliceIds).toHaveLength(1);
    const bob = await join('Bob', { url });

    // Act: the server side closes Alice's connection
    await dropConnectionAndHoldReconnect(alice, suite.stack, aliceIds[0] as string);
    const statusWhileDown = await alice.page.locator('#status-text').textContent();
    await say(alice, 'Typed while the connection was down');
    const queued = alice.page.locator('.message.own', { hasText: 'Typed while' });
    const noteWhileDown = await queued.locator('.delivery').textContent();
    await alice.page.clock.resume();
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();
    await bob.page.locator('.message', { hasText: 'Typed while' }).waitFor();
    await say(alice, 'And this one after reconnecting');
    await say(bob, 'Welcome back, Alice');

    // Assess
    expect(statusWhileDown).toMatch(/^Reconnecting/);
    expect(noteWhileDown).toBe('Waiting for the connection…');
    await alice.page.locator('.message:not(.own)', { hasText: 'Welcome back' }).waitFor();
    await bob.page.locator('.message', { hasText: 'after reconnecting' }).waitFor();
    expect(await bob.page.locator('.message', { hasText: 'Typed while' }).count()).toBe(1);
    expect(await queued.locator('.delivery').count()).toBe(0);
    expect(await alice.page.locator('#status-text').textContent()).toBe('Connected');
  });

  it('is served with a CSP that allows only its own code and the configured WebSocket URL', async () => {
    // Prepare
    const alice = await join('Alice');

    // Act
    const policy = await alice.page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    const scriptSources = await alice.page
      .locator('script')
      .evaluateAll((scripts) => scripts.map((script) => script.getAttribute('src')));

    // Assess
    const directives = new Map(
      (policy ?? '').split(';').map((directive) => {
        const [name = '', ...sources] = directive.trim().split(/\s+/);
        return [name, sources.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe(suite.stack.websocketUrl);
    expect(scriptSources).toEqual(['config.js', 'app.js']);
    // Inline code in the served HTML would be blocked by this very policy: there must be none.
    const html = await (await alice.page.request.get(suite.stack.pageUrl)).text();
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|<script>|javascript:/i);
  });

  it('says so, instead of failing silently, when config.js is missing', async () => {
    // Prepare
    const context = await suite.browser.newContext();
    await context.route('**/config.js', (route) => route.fulfill({ status: 404, body: '' }));
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Act
    await page.goto(suite.stack.pageUrl);
    const notice = page.locator('.system.error');
    await notice.waitFor({ timeout: 10_000 });

    // Assess
    expect(await notice.locator('.system-text').textContent()).toContain('config.js');
    expect(await page.locator('#status-text').textContent()).toBe('Not configured');
    expect(await page.getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('disconnects and connects again with the button, keeping what was written meanwhile', async () => {
    // Prepare
    const alice = await join('Alice');
    const toggle = alice.page.getByRole('button', { name: 'Disconnect' });

    // Act
    await toggle.click();
    await alice.page.locator('#status-text', { hasText: 'Disconnected' }).waitFor();
    await say(alice, 'Queued until I reconnect');
    await alice.page.close({ runBeforeUnload: true });
    await expect.poll(() => alice.leavePrompts.count).toBe(1);
    await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();

    // Assess
    await expect.poll(() => alice.page.locator('.message.own .delivery').count()).toBe(0);
    expect(await alice.page.locator('#status-text').textContent()).toBe('Connected');
  });
});
