/**
 * Protocol 3 on the page, in Chromium: where each of our messages stands (sending, sent, failed
 * with Retry), the room's serial order, gaps fetched and messages the room no longer keeps. The
 * server is played by the test (`scriptServer`), so every frame is exactly the one the test needs;
 * the page itself comes from the real local stack.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { axeViolations, installAxe } from '../support/axe.ts';
import { type Member, say } from '../support/browser.ts';
import {
  chatFrame,
  historyReply,
  messageEvent,
  type PageFrame,
  type ScriptedServer,
  scriptServer,
} from '../support/scripted-server.ts';
import { describeInChromium } from '../support/suite.ts';

/** Screenshots land in the repository's git-ignored `test-results/`, wherever vitest was started. */
const artifactsDir = fileURLToPath(new URL('../../../test-results', import.meta.url));

/** The screen of a common phone, in CSS pixels (an iPhone 12 to 15). */
const phone = { width: 390, height: 844 } as const;

/** Every line of the conversation, top to bottom: messages and system lines alike. */
function conversationLines(member: Member): Promise<string[]> {
  return member.page
    .locator('#message-items > li')
    .evaluateAll((items) =>
      items.map((item) => item.querySelector('.text, .system-text')?.textContent ?? ''),
    );
}

/** How far the page is wider than its screen (0 when nothing sticks out). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    // This runs in the page; the Node.js program that compiles it has no DOM types.
    const { document } = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number } };
    };
    return document.documentElement.scrollWidth - document.documentElement.clientWidth;
  });
}

/** An ack for a chat frame the page sent. */
function ackFor(frame: PageFrame, room: string, seq: number): Record<string, unknown> {
  return { type: 'ack', clientId: frame.clientId, id: messageEvent(room, seq, '').id, seq, room };
}

describeInChromium('delivery states and serial order in Chromium (scripted server)', (suite) => {
  const socketUrl = (room: string): string => `${suite.stack.websocketUrl}?room=${room}&v=3`;

  /**
   * Joins `room` as Alice, with the test playing the server: `history` answers each history
   * request, or leaves it to the test (`undefined`). Alice's clock is the test's, so waits the
   * page makes can be skipped (`page.clock.fastForward`).
   */
  async function joinScripted(
    room: string,
    history: (request: PageFrame) => Record<string, unknown> | undefined,
  ): Promise<{ alice: Member; server: ScriptedServer }> {
    let server: ScriptedServer | undefined;
    const alice = await suite.join('Alice', {
      url: `${suite.stack.pageUrl}#${room}`,
      beforeLoad: async (page) => {
        await page.clock.install();
        await installAxe(page);
        server = await scriptServer(page, socketUrl(room), (request, self) => {
          const reply = history(request);
          if (reply !== undefined) self.send(reply);
        });
      },
    });
    if (server === undefined) throw new Error('the server script was not installed');
    return { alice, server };
  }

  it('says in words whether each message is sending, sent or failed, retries a failed one with its own id, and stays accessible on a phone and a desktop in both schemes', async () => {
    // Prepare
    const room = 'states';
    const { alice, server } = await joinScripted(room, () =>
      historyReply(room, [messageEvent(room, 1, 'Hello Alice, are you there?')], 1, 1),
    );
    const line = (text: string) => alice.page.locator('.message.own', { hasText: text });

    // Act: one accepted (and reported as reaching only part of the room), one refused, sent
    // again and accepted, one refused for good, one that waits for its answer
    let frame = server.nextFrame(chatFrame('Yes, here!'));
    await say(alice, 'Yes, here!');
    const accepted = await frame;
    server.send(ackFor(accepted, room, 2));
    server.send({ ...ackFor(accepted, room, 2), type: 'delivery_incomplete', unreached: 2 });
    await line('Yes, here!').locator('.receipt').waitFor();

    frame = server.nextFrame(chatFrame('Refused, then sent again'));
    await say(alice, 'Refused, then sent again');
    const refused = await frame;
    const refusal = { code: 'internal_error', message: 'Please try again.' };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      // The page sends it again by itself after a server failure (after 1, 2, 4 and 8 s), up to
      // five attempts.
      const again = server.nextFrame(chatFrame('Refused, then sent again'));
      server.send({ type: 'error', ...refusal, clientId: refused.clientId });
      if (attempt === 4) break;
      await alice.page.clock.fastForward(8_000);
      await again;
    }
    const retry = line('Refused, then sent again').getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    const failedNote = await line('Refused, then sent again').locator('.delivery').textContent();
    frame = server.nextFrame(chatFrame('Refused, then sent again'));
    await retry.click();
    const resent = await frame;
    server.send(ackFor(resent, room, 3));
    await line('Refused, then sent again').locator('.receipt').waitFor();

    frame = server.nextFrame(chatFrame('x'.repeat(40)));
    await say(alice, 'x'.repeat(40));
    const tooLong = await frame;
    server.send({
      type: 'error',
      code: 'message_too_long',
      message: '"message" must be at most 30 characters.',
      clientId: tooLong.clientId,
    });
    await line('x'.repeat(40)).getByRole('button', { name: 'Retry' }).waitFor();

    frame = server.nextFrame(chatFrame('Still on its way'));
    await say(alice, 'Still on its way');
    await frame;

    // Assess: each state in words
    expect(await line('Yes, here!').locator('.receipt').textContent()).toBe('Sent');
    expect(await line('Yes, here!').locator('.delivery-note').textContent()).toBe(
      'Reached only part of the room: 2 members could not be reached.',
    );
    expect(failedNote).toBe('Failed to send: the server could not take it.Retry');
    expect(resent).toEqual(refused);
    expect(await line('x'.repeat(40)).locator('.delivery-text').textContent()).toBe(
      'Failed to send: the server refused it.',
    );
    expect(await line('Still on its way').locator('.delivery').textContent()).toBe('Sending…');
    expect(await conversationLines(alice)).toEqual([
      'Hello Alice, are you there?',
      'Connected to #states. Say hello!',
      'Yes, here!',
      'Refused, then sent again',
      'x'.repeat(40),
      'The server refused a message: "message" must be at most 30 characters.',
      'Still on its way',
    ]);
    const clientIds = server.frames.flatMap((each) => (each.clientId ? [each.clientId] : []));
    expect(new Set(clientIds).size).toBe(4);

    // Assess: accessible and whole, on a desktop and on a phone, in both schemes
    await mkdir(artifactsDir, { recursive: true });
    const results = [];
    for (const [screen, size] of [
      ['desktop', { width: 760, height: 720 }],
      ['phone', phone],
    ] as const) {
      await alice.page.setViewportSize(size);
      for (const scheme of ['light', 'dark'] as const) {
        const violations = await axeViolations(alice.page, scheme);
        await alice.page.screenshot({
          path: `${artifactsDir}/delivery-states-${screen}-${scheme}.png`,
        });
        const retryBox = await line('x'.repeat(40))
          .getByRole('button', { name: 'Retry' })
          .boundingBox();
        results.push({
          screen,
          scheme,
          violations,
          overflow: await horizontalOverflow(alice.page),
          retryOnScreen:
            retryBox === null ? true : retryBox.x >= 0 && retryBox.x + retryBox.width <= size.width,
        });
      }
    }
    expect(results).toEqual(
      ['desktop', 'desktop', 'phone', 'phone'].map((screen, index) => ({
        screen,
        scheme: index % 2 === 0 ? 'light' : 'dark',
        violations: [],
        overflow: 0,
        retryOnScreen: true,
      })),
    );
  });

  it('shows messages in serial order, once each, fetches a gap the fan-out did not fill, says what the room no longer keeps, and resumes after the contiguous serial', async () => {
    // Prepare
    const room = 'serials';
    let reconnected = false;
    const { alice, server } = await joinScripted(room, (request) => {
      if (request.after === undefined) {
        return historyReply(
          room,
          [messageEvent(room, 1, 'one'), messageEvent(room, 2, 'two')],
          2,
          1,
        );
      }
      // The gaps' requests are answered by the test itself.
      return reconnected ? historyReply(room, [], 9, 1) : undefined;
    });
    await alice.page.locator('.message', { hasText: 'two' }).waitFor();

    // Act: 3, then 5 without 4: the page waits out the grace time, then asks after 3; 4 comes
    // with the reply, and 5 and 4 arrive live again (deliveries are at least once)
    server.send(messageEvent(room, 3, 'three'));
    const gapRequest = server.nextFrame((frame) => frame.action === 'history');
    server.send(messageEvent(room, 5, 'five'));
    await alice.page.locator('.message', { hasText: 'five' }).waitFor();
    await alice.page.clock.fastForward(1_500);
    const askedForGap = await gapRequest;
    server.send(historyReply(room, [messageEvent(room, 4, 'four')], 5, 1));
    server.send(messageEvent(room, 5, 'five'));
    server.send(messageEvent(room, 4, 'four'));

    // Our own message: it takes its place by the serial its ack gives
    const own = server.nextFrame(chatFrame('six, mine'));
    await say(alice, 'six, mine');
    server.send(ackFor(await own, room, 6));
    await alice.page.locator('.message.own .receipt').waitFor();

    // 9 without 7 and 8, which the room no longer keeps by the time the page asks
    const secondGap = server.nextFrame((frame) => frame.action === 'history');
    server.send(messageEvent(room, 9, 'nine'));
    await alice.page.locator('.message', { hasText: 'nine' }).waitFor();
    await alice.page.clock.fastForward(1_500);
    const askedForSecondGap = await secondGap;
    server.send(historyReply(room, [messageEvent(room, 9, 'nine')], 9, 9));
    await alice.page.locator('.system', { hasText: 'no longer keeps' }).waitFor();

    // The connection drops; the page resumes after the contiguous serial
    const resume = server.nextFrame((frame) => frame.action === 'history');
    reconnected = true;
    await server.drop();
    await alice.page.locator('.system', { hasText: 'Connection lost' }).waitFor();
    await alice.page.clock.fastForward(1_000);
    const resumedAfter = await resume;
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor();

    // Assess
    expect(askedForGap).toEqual({ action: 'history', after: 3 });
    expect(askedForSecondGap).toEqual({ action: 'history', after: 6 });
    expect(resumedAfter).toEqual({ action: 'history', after: 9 });
    expect(await conversationLines(alice)).toEqual([
      'one',
      'two',
      'Connected to #serials. Say hello!',
      'three',
      'four',
      'five',
      'six, mine',
      'Up to 2 earlier messages are missing here: the room no longer keeps them.',
      'nine',
      'Connection lost. Reconnecting…',
      'Reconnected.',
    ]);
    const serials = await alice.page
      .locator('.message')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-seq')));
    expect(serials).toEqual(['1', '2', '3', '4', '5', '6', '9']);
  });

  it('shows its own message once when a history reply brought it before its ack', async () => {
    // Prepare: the socket drops before the ack; on the reconnect, the history reply (which holds
    // the message, as the room accepted it) comes before the ack of the message sent again
    const room = 'ownhistory';
    let accepted: PageFrame | undefined;
    const { alice, server } = await joinScripted(room, (request) =>
      request.after === undefined || accepted === undefined
        ? historyReply(room, [], 0, 1)
        : historyReply(room, [messageEvent(room, 1, 'Sent just before the drop', 'Alice')], 1, 1),
    );
    const first = server.nextFrame(chatFrame('Sent just before the drop'));
    await say(alice, 'Sent just before the drop');
    accepted = await first;

    // Act
    const again = server.nextFrame(chatFrame('Sent just before the drop'));
    await server.drop();
    await alice.page.locator('.system', { hasText: 'Connection lost' }).waitFor();
    await alice.page.clock.fastForward(1_000);
    const resent = await again;
    await alice.page.locator('.message:not(.own)', { hasText: 'Sent just before' }).waitFor();
    server.send(ackFor(resent, room, 1));
    await alice.page.locator('.message.own .receipt').waitFor();

    // Assess
    expect(resent).toEqual(accepted);
    expect(await alice.page.locator('.message', { hasText: 'Sent just before' }).count()).toBe(1);
    expect(await alice.page.locator('.message.own').getAttribute('data-seq')).toBe('1');
  });
});
