/**
 * A tab that goes offline for 10 s while others talk, against the real local stack (protocol 3):
 * when it is back it resumes after the last serial it holds, shows every message once and in the
 * room's order, and its own messages written while offline are accepted once each.
 *
 * Chromium's offline emulation leaves open WebSockets open, so the test also cuts the page's
 * socket itself, with playwright's `routeWebSocket`, and fails every new handshake while the tab
 * is offline.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { type Member, say } from '../support/browser.ts';
import { describeInChromium } from '../support/suite.ts';

/** How long the tab stays offline. */
const offlineMs = 10_000;
/** Waits that span the outage and the page's reconnect. */
const outageTimeout = { timeout: offlineMs + 10_000 };

/** The texts of the chat messages on a page, top to bottom; `own` picks ours or others'. */
function messageTexts(member: Member, own?: boolean): Promise<string[]> {
  const selector = own === undefined ? '.message' : own ? '.message.own' : '.message:not(.own)';
  return member.page.locator(`#message-items ${selector} .text`).allTextContents();
}

/** Waits until a message with exactly `text` is on the member's page. */
async function shows(member: Member, text: string, options = {}): Promise<void> {
  await member.page
    .locator('.message .text', {
      hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    })
    .waitFor(options);
}

/** The tab's network, as the test turns it off and on. */
interface Network {
  online: boolean;
  /** Closes the page's open socket, as a dropped network does. */
  cut(): Promise<void>;
}

/**
 * Passes the page's WebSockets to the server while `network.online`, and fails every handshake
 * (the page never sees the socket open) while not. Pass to `beforeLoad`.
 */
function routeThroughNetwork(
  websocketUrl: string,
  network: Network,
): (page: Page) => Promise<void> {
  return (page) =>
    page.routeWebSocket(websocketUrl, async (route) => {
      if (!network.online) {
        await route.close();
        return;
      }
      route.connectToServer();
      network.cut = async () => {
        await route.close();
      };
    });
}

describeInChromium('a tab offline for 10 s in Chromium', (suite) => {
  it('sees every message once and in order when it is back, and its messages written offline are sent once each and shown as sent', async () => {
    // Prepare: Alice, Bob and Carol in #offline
    const room = 'offline';
    const url = `${suite.stack.pageUrl}#${room}`;
    const network: Network = { online: true, cut: async () => {} };
    const alice = await suite.join('Alice', {
      url,
      beforeLoad: routeThroughNetwork(`${suite.stack.websocketUrl}?room=${room}&v=3`, network),
    });
    const bob = await suite.join('Bob', { url });
    const carol = await suite.join('Carol', { url });
    await say(bob, 'Before the outage');
    await shows(alice, 'Before the outage');

    // Act: Alice goes offline; Bob and Carol talk, each message reaching the other before the
    // next is said, so the room accepts them in this order; Alice writes two messages meanwhile
    const offlineSince = Date.now();
    network.online = false;
    await alice.context.setOffline(true);
    await network.cut();
    await alice.page.locator('.system.error', { hasText: 'Connection lost' }).waitFor();
    const said = ['Bob: one', 'Carol: two', 'Bob: three', 'Carol: four', 'Bob: five'];
    for (const [index, text] of said.entries()) {
      const [speaker, listener] = index % 2 === 0 ? [bob, carol] : [carol, bob];
      await say(speaker, text);
      await shows(listener, text);
      if (index === 1) await say(alice, 'Alice: written offline, first');
    }
    await say(alice, 'Alice: written offline, second');
    const notesWhileOffline = await alice.page.locator('.message.own .delivery').allTextContents();
    await new Promise((resolve) => setTimeout(resolve, offlineMs - (Date.now() - offlineSince)));
    network.online = true;
    await alice.context.setOffline(false);
    await alice.page.locator('.system', { hasText: 'Reconnected.' }).waitFor(outageTimeout);
    await shows(bob, 'Alice: written offline, second', outageTimeout);
    await say(carol, 'Carol: welcome back');
    await shows(alice, 'Carol: welcome back');
    await shows(bob, 'Carol: welcome back');

    // Assess: while offline, Alice's messages waited, saying so
    expect(notesWhileOffline).toEqual([
      'Waiting for the connection…',
      'Waiting for the connection…',
    ]);
    // Every message once, in the room's order, at Alice as at Bob
    const everything = [
      'Before the outage',
      ...said,
      'Alice: written offline, first',
      'Alice: written offline, second',
      'Carol: welcome back',
    ];
    expect(await messageTexts(bob)).toEqual(everything);
    expect(await messageTexts(alice)).toEqual(everything);
    expect(await messageTexts(carol)).toEqual(everything);
    // Alice's own: sent once each (the others have one copy each), and shown as sent
    expect(await messageTexts(alice, true)).toEqual([
      'Alice: written offline, first',
      'Alice: written offline, second',
    ]);
    expect(await alice.page.locator('.message.own .receipt').allTextContents()).toEqual([
      'Sent',
      'Sent',
    ]);
    expect(await alice.page.locator('.message.own .delivery').count()).toBe(0);
    // The order is the room's serials, on every line
    const serials = await alice.page
      .locator('#message-items .message')
      .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
    expect(serials).toHaveLength(everything.length);
    expect(
      serials.every((seq, index) => seq > 0 && (index === 0 || seq > (serials[index - 1] ?? 0))),
    ).toBe(true);
  });
});
