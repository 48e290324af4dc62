/**
 * The chat page in Chromium, driven as its users drive it, against the target's own page and
 * `config.js`: it loads and connects, two members chat, a late joiner sees the history, and a
 * page whose socket is cut reconnects by itself, losing and doubling nothing. Every test has a
 * room of its own. Gravatar is answered by the test, never by the internet.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fakeGravatar, type Member } from '../../../frontend/test/support/browser.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { usePages } from './support/pages.ts';

const suite = useChatSuite();
const pages = usePages(suite);

const TIMEOUT = { timeout: 120_000 };
const aliceEmail = 'Alice@Example.com';
const aliceHash = createHash('sha256').update(aliceEmail.toLowerCase()).digest('hex');
/** Screenshots land in the repository's git-ignored `test-results/`, wherever vitest was started. */
const artifactsDir = fileURLToPath(new URL('../../../test-results', import.meta.url));

/** The texts of the chat messages on a page, top to bottom (own and others'). */
function messageTexts(member: Member): Promise<string[]> {
  return member.page.locator('#message-items .message .text').allTextContents();
}

/** Every line of the conversation, top to bottom: messages and system lines alike. */
function conversationLines(member: Member): Promise<string[]> {
  return member.page
    .locator('#message-items > li')
    .evaluateAll((items) =>
      items.map((item) => item.querySelector('.text, .system-text')?.textContent ?? ''),
    );
}

/** Waits until a message from someone else with exactly `text` is on the member's page. */
async function received(member: Member, text: string): Promise<void> {
  const exactly = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await member.page.locator('.message:not(.own) .text', { hasText: exactly }).waitFor();
}

/** The page's head count, as shown next to the room's name. */
function presence(page: Page): Promise<string | null> {
  return page.locator('#presence').evaluate((element) => {
    // This runs in the page; the Node.js program that compiles it has no DOM types.
    const shown = element as unknown as { hidden: boolean; textContent: string | null };
    return shown.hidden ? null : shown.textContent;
  });
}

describe('the page in Chromium', () => {
  it('loads with a config.js that names the WebSocket URL, and connects', TIMEOUT, async () => {
    // Act
    const alice = await pages.join('Alice', { room: suite.room('page-load') });

    // Assess
    // This runs in the page, where config.js set CHAT_CONFIG on the window.
    const configured = await alice.page.evaluate(
      () =>
        (globalThis as unknown as { CHAT_CONFIG: { websocketUrl: string } }).CHAT_CONFIG
          .websocketUrl,
    );
    expect(configured).toBe(suite.target.websocketUrl);
    expect(await alice.page.locator('#status-text').textContent()).toBe('Connected');
    expect(await alice.page.getByLabel('Message', { exact: true }).isDisabled()).toBe(false);
  });

  it(
    'lets two members chat both ways, each seeing their own messages on one side and the other on the other',
    TIMEOUT,
    async () => {
      // Prepare: Gravatar is answered by the test, knowing only Alice's hash
      const room = suite.room('page-chat');
      const alice = await pages.join('Alice Liddell', {
        room,
        email: aliceEmail,
        prepareContext: fakeGravatar(aliceHash),
      });
      const bob = await pages.join('Bob', { room, prepareContext: fakeGravatar(aliceHash) });

      // Act
      await pages.say(alice, 'Hi Bob! Is the chat working for you?');
      const atBob = bob.page.locator('.message:not(.own)', { hasText: 'Is the chat working' });
      await atBob.waitFor();
      await pages.say(bob, 'Loud and clear.\nEven with two lines!');
      const atAlice = alice.page.locator('.message:not(.own)', { hasText: 'Loud and clear.' });
      await atAlice.waitFor();
      await pages.say(alice, 'Great! And your avatar falls back to your initials.');
      await bob.page.locator('.message', { hasText: 'falls back to your initials' }).waitFor();

      // Assess: names and text
      await expect.poll(() => atBob.locator('.sender').textContent()).toBe('Alice Liddell');
      await expect.poll(() => atAlice.locator('.sender').textContent()).toBe('Bob');
      expect(await atAlice.locator('.text').textContent()).toBe(
        'Loud and clear.\nEven with two lines!',
      );
      expect(await alice.page.locator('.message.own .sender').first().textContent()).toBe(
        'Alice Liddell (you)',
      );

      // Assess: sides, as laid out on screen
      const ownBox = await alice.page.locator('.message.own').first().boundingBox();
      const otherBox = await atAlice.boundingBox();
      expect(ownBox?.x).toBeGreaterThan((otherBox?.x ?? 0) + (otherBox?.width ?? 0) / 2);

      // Assess: avatars: Alice's Gravatar (from the hash, never the email) and Bob's initials
      await expect
        .poll(() => atBob.locator('.avatar-image').getAttribute('src'))
        .toContain(`/avatar/${aliceHash}`);
      await expect.poll(() => atAlice.locator('.avatar-image').count()).toBe(0);
      expect(await atAlice.locator('.avatar').textContent()).toBe('BO');

      // Assess: the conversation as people see it
      await mkdir(artifactsDir, { recursive: true });
      await alice.page.screenshot({ path: `${artifactsDir}/chat-conversation.png` });
      await bob.page.setViewportSize({ width: 390, height: 720 });
      await bob.page.screenshot({ path: `${artifactsDir}/chat-conversation-phone.png` });
    },
  );

  it(
    'shows a member who joins late what was said before, oldest first and above the join, and how many are here',
    TIMEOUT,
    async () => {
      // Prepare: Alice and Bob talk before Carol comes
      const room = suite.room('page-late');
      const alice = await pages.join('Alice', { room });
      const bob = await pages.join('Bob', { room });
      await pages.say(alice, 'First, from Alice');
      await received(bob, 'First, from Alice');
      await pages.say(bob, 'Second, from Bob');
      await received(alice, 'Second, from Bob');
      await pages.say(alice, 'Third, from Alice');
      await received(bob, 'Third, from Alice');

      // Act
      const carol = await pages.join('Carol', { room });
      await received(carol, 'Third, from Alice');

      // Assess: the history above the line that says she joined, each with its sender
      expect(await conversationLines(carol)).toEqual([
        'First, from Alice',
        'Second, from Bob',
        'Third, from Alice',
        `Connected to #${room}. Say hello!`,
      ]);
      expect(await carol.page.locator('.message .sender').allTextContents()).toEqual([
        'Alice',
        'Bob',
        'Alice',
      ]);
      expect(await carol.page.locator('.message.own').count()).toBe(0);
      await expect.poll(() => presence(carol.page)).toBe('3 people here');
      await expect.poll(() => presence(alice.page)).toBe('3 people here');
    },
  );

  it(
    'reconnects by itself when its socket is cut, shows what was said meanwhile once, and sends what was typed meanwhile once',
    TIMEOUT,
    async () => {
      // Prepare: Alice's socket passes through the test, which can cut it and refuse new ones
      const room = suite.room('page-cut');
      const network = { online: true, cut: async (): Promise<void> => {} };
      const websocketUrl = suite.target.websocketUrl;
      const alice = await pages.join('Alice', {
        room,
        beforeLoad: (page) =>
          page.routeWebSocket(
            (url) => url.href.startsWith(`${websocketUrl}?`),
            async (route) => {
              if (!network.online) {
                await route.close();
                return;
              }
              route.connectToServer();
              network.cut = () => route.close();
            },
          ),
      });
      const bob = await pages.join('Bob', { room });
      // Carol shows when what Bob says has been delivered, before Alice comes back.
      const carol = await pages.join('Carol', { room });
      await pages.say(bob, 'Before the cut');
      await received(alice, 'Before the cut');

      // Act: the socket is cut; Bob talks and Alice types while she is away; then she may return
      network.online = false;
      await network.cut();
      await alice.page.locator('.system.error', { hasText: 'Connection lost' }).waitFor();
      await pages.say(alice, 'Typed while cut off');
      await pages.say(bob, 'While Alice was away, 1');
      await pages.say(bob, 'While Alice was away, 2');
      await received(carol, 'While Alice was away, 2');
      const noteWhileAway = await alice.page
        .locator('.message.own', { hasText: 'Typed while' })
        .locator('.delivery')
        .textContent();
      // Her page asks for what it missed and sends what waited, once it is back.
      await suite.budget().spend(2);
      network.online = true;
      await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor({ timeout: 60_000 });
      await received(bob, 'Typed while cut off');
      await received(alice, 'While Alice was away, 2');
      await pages.say(bob, 'Welcome back');
      await received(alice, 'Welcome back');

      // Assess: every message once, in the room's order (hers was accepted once she was back), the
      // missed ones before "Reconnected."
      expect(noteWhileAway).toBe('Waiting for the connection…');
      expect(await messageTexts(alice)).toEqual([
        'Before the cut',
        'While Alice was away, 1',
        'While Alice was away, 2',
        'Typed while cut off',
        'Welcome back',
      ]);
      const lines = await conversationLines(alice);
      expect(lines.indexOf('While Alice was away, 2')).toBeLessThan(lines.indexOf('Reconnected.'));
      expect(lines.indexOf('Reconnected.')).toBeLessThan(lines.indexOf('Welcome back'));
      expect(await bob.page.locator('.message', { hasText: 'Typed while cut off' }).count()).toBe(
        1,
      );
      await expect.poll(() => alice.page.locator('.message.own .delivery').count()).toBe(0);
    },
  );
});
