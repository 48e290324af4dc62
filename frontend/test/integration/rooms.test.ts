/**
 * Rooms, history and presence in Chromium against the real local stack: the Lambda bundle keeps
 * each room's messages in the rooms table and reads its members from the room index, and the page
 * shows what it gets. Every test has rooms of its own, so no earlier test's history is on screen.
 *
 * A message that must not arrive is checked after a later message that must: the sentinel is sent
 * once the first message has reached its own room, so a message that leaked would be on screen
 * before it.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { roomMemberIds } from '../../../tools/local-stack/test/support/helpers.ts';
import { dropConnectionAndHoldReconnect, type Member, say } from '../support/browser.ts';
import { describeInChromium } from '../support/suite.ts';

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
  await member.page
    .locator('.message:not(.own) .text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) })
    .waitFor();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Collects the text frames the page's WebSockets receive, whether or not the page shows them: a
 * message for another room must not even reach the browser. Pass as `beforeLoad`.
 */
function recordFrames(frames: string[]): (page: Page) => Promise<void> {
  return async (page) => {
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => frames.push(payload.toString())),
    );
  };
}

/** The page's head count, as shown next to the room's name. */
function presence(page: Page): Promise<string | null> {
  return page.locator('#presence').evaluate((element) => {
    // This runs in the page; the Node.js program that compiles it has no DOM types.
    const shown = element as unknown as { hidden: boolean; textContent: string | null };
    return shown.hidden ? null : shown.textContent;
  });
}

describeInChromium('rooms, history and presence in Chromium', (suite) => {
  const roomUrl = (room: string): string => `${suite.stack.pageUrl}#${room}`;

  it('keeps two rooms open side by side apart: each sees its own messages and none of the other', async () => {
    // Prepare: two members in #red and two in #blue
    const framesAtAmy: string[] = [];
    const framesAtBea: string[] = [];
    const ann = await suite.join('Ann', { url: roomUrl('red') });
    const amy = await suite.join('Amy', {
      url: roomUrl('red'),
      beforeLoad: recordFrames(framesAtAmy),
    });
    const ben = await suite.join('Ben', { url: roomUrl('blue') });
    const bea = await suite.join('Bea', {
      url: roomUrl('blue'),
      beforeLoad: recordFrames(framesAtBea),
    });

    // Act: one message in each room; once each has reached its own room, one more in the other
    await say(ann, 'Only for red');
    await say(ben, 'Only for blue');
    await received(amy, 'Only for red');
    await received(bea, 'Only for blue');
    await say(ben, 'Blue, later');
    await say(ann, 'Red, later');
    await received(bea, 'Blue, later');
    await received(amy, 'Red, later');

    // Assess
    expect({
      ann: await messageTexts(ann),
      amy: await messageTexts(amy),
      ben: await messageTexts(ben),
      bea: await messageTexts(bea),
    }).toEqual({
      ann: ['Only for red', 'Red, later'],
      amy: ['Only for red', 'Red, later'],
      ben: ['Only for blue', 'Blue, later'],
      bea: ['Only for blue', 'Blue, later'],
    });
    // Not on screen, and never sent to the browser either
    const about = (frames: string[], room: string, texts: string[]): string[] =>
      frames.filter(
        (frame) => frame.includes(`"room":"${room}"`) || texts.some((text) => frame.includes(text)),
      );
    expect(about(framesAtAmy, 'blue', ['Only for blue', 'Blue, later'])).toEqual([]);
    expect(about(framesAtBea, 'red', ['Only for red', 'Red, later'])).toEqual([]);
    expect(about(framesAtBea, 'blue', ['Blue, later'])).not.toEqual([]);
    for (const member of [ann, amy, ben, bea]) {
      await expect.poll(() => presence(member.page)).toBe('2 people here');
    }
  });

  it('after DELETE @connections, shows each message once: what it had, its own, and what others said while it was away', async () => {
    // Prepare: Alice joins #away alone, so the room's one member is her; her timers run on a
    // clock the test controls, so she reconnects only when the test lets her
    const alice = await suite.join('Alice', {
      url: roomUrl('away'),
      beforeLoad: (page) => page.clock.install(),
    });
    const aliceIds = await roomMemberIds(suite.stack, 'away');
    expect(aliceIds).toHaveLength(1);
    const bob = await suite.join('Bob', { url: roomUrl('away') });
    const carol = await suite.join('Carol', { url: roomUrl('away') });
    await say(bob, 'Before the drop');
    await received(alice, 'Before the drop');
    // Newer than anything Alice has an id for: her catch-up brings it back, with an id.
    await say(alice, 'Mine, before the drop');
    await received(carol, 'Mine, before the drop');

    // Act: the server drops Alice; Bob talks while she is away (Carol's page shows when the
    // backend has kept each message); then Alice's reconnect may run
    await dropConnectionAndHoldReconnect(alice, suite.stack, aliceIds[0] as string);
    await say(bob, 'While Alice was away, 1');
    await say(bob, 'While Alice was away, 2');
    await received(carol, 'While Alice was away, 2');
    await alice.page.clock.resume();
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();
    await received(alice, 'While Alice was away, 2');
    await say(bob, 'Welcome back');
    await received(alice, 'Welcome back');

    // Assess: every message once, in the order it was said, the missed ones before "Reconnected."
    expect(await messageTexts(alice)).toEqual([
      'Before the drop',
      'Mine, before the drop',
      'While Alice was away, 1',
      'While Alice was away, 2',
      'Welcome back',
    ]);
    expect(await alice.page.locator('.message.own .text').allTextContents()).toEqual([
      'Mine, before the drop',
    ]);
    const lines = await conversationLines(alice);
    expect(lines.indexOf('While Alice was away, 2')).toBeLessThan(lines.indexOf('Reconnected.'));
    expect(lines.indexOf('Reconnected.')).toBeLessThan(lines.indexOf('Welcome back'));
    expect(await roomMemberIds(suite.stack, 'away')).not.toContain(aliceIds[0]);
  });

  it('opens the room of the shared link in a new tab, where the two chat together', async () => {
    // Prepare: Alice opens the website and moves to a room from the room bar
    const alice = await suite.join('Alice');
    await alice.page.getByRole('textbox', { name: 'Room' }).fill('Book-Club');
    await alice.page.getByRole('button', { name: 'Join' }).click();
    await alice.page.locator('.system', { hasText: 'Connected to #book-club' }).waitFor();
    const link = await alice.page
      .getByRole('link', { name: 'Link to this room' })
      .getAttribute('href');
    if (link === null) throw new Error('the room has no link to share');

    // Act: Bob opens the link Alice shared
    const bob = await suite.join('Bob', { url: link });
    await say(alice, 'Chapter one tonight?');
    await received(bob, 'Chapter one tonight?');
    await say(bob, 'Yes, at eight.');
    await received(alice, 'Yes, at eight.');

    // Assess
    expect(link).toBe(roomUrl('book-club'));
    expect(await bob.page.locator('#room-title').textContent()).toBe('#book-club');
    expect(bob.page.url()).toBe(link);
    expect(await roomMemberIds(suite.stack, 'book-club')).toHaveLength(2);
    expect(await messageTexts(bob)).toEqual(['Chapter one tonight?', 'Yes, at eight.']);
  });
});
