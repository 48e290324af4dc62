/**
 * The page's own features in Chromium against the real local stack: accessibility (axe-core, both
 * colour schemes), the header on a phone's screen, the unread count in the title, links, rooms from the URL and the room bar, and
 * the text rules for names and messages.
 */
import type { Page, WebSocketRoute } from 'playwright-core';
import { expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { axeViolations, installAxe } from '../support/axe.ts';
import { raisePageLimit, say } from '../support/browser.ts';
import { describeInChromium } from '../support/suite.ts';

/**
 * Makes the page believe its tab was hidden or shown again. Headless Chromium keeps every tab
 * visible, so the test sets what `document.hidden` reports and fires the event the browser fires.
 */
async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    // This runs in the page; the Node.js program that compiles it has no DOM types.
    const { document } = globalThis as unknown as { document: EventTarget };
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (value ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** The WebSocket URLs a page opens, in order. */
function recordSockets(page: Page): string[] {
  const urls: string[] = [];
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

/** The screen of a common phone, in CSS pixels (an iPhone 12 to 15). */
const phone = { width: 390, height: 844 } as const;

/**
 * How the page's top (the header, the profile and the room bar) is laid out on screen: how far the
 * page is wider than the screen, where the header's pieces sit, which texts take more than one
 * line, and which placeholders do not fit their field.
 */
async function measureTop(page: Page): Promise<{
  overflow: number;
  outsideScreen: string[];
  brokenTexts: string[];
  cutPlaceholders: string[];
}> {
  const overflow = await page.evaluate(() => {
    // This runs in the page; the Node.js program that compiles it has no DOM types.
    const { document } = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number } };
    };
    return document.documentElement.scrollWidth - document.documentElement.clientWidth;
  });
  const outsideScreen = await page.locator('.topbar > :not([hidden])').evaluateAll(
    (pieces, width) =>
      pieces
        .filter((piece) => {
          const box = piece.getBoundingClientRect();
          return box.left < 0 || box.right > width;
        })
        .map((piece) => piece.className),
    phone.width,
  );
  // A line of text is about 1.45 times its font size high; two lines are twice that.
  const brokenTexts = await page
    .locator('.profile label, .room-bar label, #room-title, #presence, #status-text')
    .evaluateAll((texts) =>
      texts
        .filter((text) => {
          const fontSize = Number.parseFloat(
            text.ownerDocument.defaultView.getComputedStyle(text).fontSize,
          );
          return text.getBoundingClientRect().height > 2 * fontSize;
        })
        .map((text) => text.textContent),
    );
  const cutPlaceholders = await page.locator('.profile input').evaluateAll((inputs) =>
    inputs
      .filter((input) => {
        const style = input.ownerDocument.defaultView.getComputedStyle(input);
        const context = input.ownerDocument.createElement('canvas').getContext('2d');
        context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room =
          input.clientWidth -
          Number.parseFloat(style.paddingLeft) -
          Number.parseFloat(style.paddingRight);
        return context.measureText(input.placeholder).width > room;
      })
      .map((input) => input.placeholder),
  );
  return { overflow, outsideScreen, brokenTexts, cutPlaceholders };
}

describeInChromium('chat page features in Chromium', (suite) => {
  it('passes axe-core (WCAG 2.1 A/AA and best practices) in light and dark mode, with messages, links, system lines and the room bar on screen', async () => {
    // Prepare
    const alice = await suite.join('Alice Liddell', { beforeLoad: installAxe });
    // Bob's page lets through a message the server refuses, for an error line.
    const limit = contract.limits.maxMessageLength;
    const bob = await suite.join('Bob', {
      beforeLoad: async (page) => {
        await installAxe(page);
        await raisePageLimit(page, limit + 10);
      },
    });
    await say(
      alice,
      'The docs are at https://example.com/docs (see "Rooms"), not javascript:alert(1)',
    );
    await bob.page.locator('.message:not(.own) a').waitFor();
    await say(bob, 'Thanks!');
    await say(bob, 'z'.repeat(limit + 1));
    await bob.page.locator('.system.error', { hasText: 'The server refused' }).waitFor();
    // The room bar saying what is wrong with a name
    await bob.page.getByRole('textbox', { name: 'Room' }).fill('no spaces');
    await bob.page.getByRole('button', { name: 'Join' }).click();
    await bob.page.locator('#room-error', { hasText: 'a space' }).waitFor();

    // Act
    const results = [];
    for (const member of [alice, bob]) {
      for (const scheme of ['light', 'dark'] as const) {
        results.push({ scheme, violations: await axeViolations(member.page, scheme) });
      }
    }

    // Assess
    expect(results).toEqual([
      { scheme: 'light', violations: [] },
      { scheme: 'dark', violations: [] },
      { scheme: 'light', violations: [] },
      { scheme: 'dark', violations: [] },
    ]);
    expect(await bob.page.locator('#messages[role="log"] > ol > li').count()).toBe(5);
  });

  it('passes axe-core when the URL names a bad room', async () => {
    // Prepare
    const carol = await suite.join('Carol', {
      url: `${suite.stack.pageUrl}#-bad`,
      beforeLoad: installAxe,
      waitUntilConnected: false,
    });
    await carol.page.locator('#room-error', { hasText: 'starts with "-"' }).waitFor();

    // Act
    const light = await axeViolations(carol.page, 'light');
    const dark = await axeViolations(carol.page, 'dark');

    // Assess
    expect({ light, dark }).toEqual({ light: [], dark: [] });
  });

  it('fits the header on a 390 px phone: the button beside the room, whole words, whole placeholders, nothing past the screen', async () => {
    // Prepare: a room of its own, so the head count says "1 person here"
    const alice = await suite.join('Alice', {
      url: `${suite.stack.pageUrl}#phone`,
      beforeLoad: installAxe,
    });
    await alice.page.setViewportSize(phone);
    await alice.page.locator('#presence', { hasText: '1 person here' }).waitFor();

    // Act
    const layout = await measureTop(alice.page);
    const button = await alice.page.getByRole('button', { name: 'Disconnect' }).boundingBox();
    const room = await alice.page.locator('#room-title').boundingBox();
    const violations = {
      light: await axeViolations(alice.page, 'light'),
      dark: await axeViolations(alice.page, 'dark'),
    };

    // Assess: the button shares the room's row rather than taking a row of its own
    expect(layout).toEqual({
      overflow: 0,
      outsideScreen: [],
      brokenTexts: [],
      cutPlaceholders: [],
    });
    if (button === null || room === null) throw new Error('the header is not on screen');
    expect(button.y).toBeLessThan(room.y + room.height);
    expect(button.y + button.height).toBeGreaterThan(room.y);
    expect(violations).toEqual({ light: [], dark: [] });
  });

  it('counts unread messages in the title while the tab is hidden, and clears the count when it is shown', async () => {
    // Prepare: a room of their own; Bob's history reply (which ends with his head count) has
    // come, so every message below reaches him live, as news, not as history from before he came
    const url = `${suite.stack.pageUrl}#unread`;
    const alice = await suite.join('Alice', { url });
    const bob = await suite.join('Bob', { url });
    await bob.page.locator('#presence', { hasText: '2 people here' }).waitFor();
    const titleBefore = await bob.page.title();
    await setTabHidden(bob.page, true);

    // Act
    await say(alice, 'one');
    await say(alice, 'two');
    await say(alice, 'three');
    await bob.page.locator('.message', { hasText: 'three' }).waitFor();
    const titleWhileHidden = await bob.page.title();
    await say(bob, 'my own message does not count');
    const titleAfterOwn = await bob.page.title();
    await setTabHidden(bob.page, false);
    const titleWhenShown = await bob.page.title();

    // Assess
    expect(titleBefore).toBe('#unread · AWSome Chat');
    expect(titleWhileHidden).toBe('(3) #unread · AWSome Chat');
    expect(titleAfterOwn).toBe('(3) #unread · AWSome Chat');
    expect(titleWhenShown).toBe('#unread · AWSome Chat');
    expect(await alice.page.title()).toBe('#unread · AWSome Chat');
  });

  it('makes http(s) links clickable in a new tab without opener or referrer, and leaves every other scheme and the text as it was', async () => {
    // Prepare: a room of their own, so no earlier test's history is on screen
    const url = `${suite.stack.pageUrl}#links`;
    const alice = await suite.join('Alice', { url });
    const bob = await suite.join('Bob', { url });
    const target = new URL('favicon.svg', suite.stack.pageUrl).href;
    const text = `Icon: ${target}. Wiki: https://en.wikipedia.org/wiki/Tea_(meal), LOUD: HTTPS://EXAMPLE.ORG/Path!\nNot links: javascript:alert(document.domain) data:text/html,<b>x</b> ftp://example.com https://bank.example@evil.example`;

    // Act
    await say(alice, text);
    const received = bob.page.locator('.message:not(.own) .text');
    await received.waitFor();
    const links = await received.locator('a').evaluateAll((anchors) =>
      anchors.map((anchor) => ({
        text: anchor.textContent,
        href: anchor.getAttribute('href'),
        rel: anchor.getAttribute('rel'),
        target: anchor.getAttribute('target'),
      })),
    );
    const [popup] = await Promise.all([
      bob.context.waitForEvent('page'),
      received.getByRole('link', { name: target }).click(),
    ]);
    await popup.waitForLoadState();

    // Assess: exactly the three web links, the text unchanged, nothing else turned into markup
    const newTab = { rel: 'noopener noreferrer', target: '_blank' };
    expect(links).toEqual([
      { text: target, href: target, ...newTab },
      {
        text: 'https://en.wikipedia.org/wiki/Tea_(meal)',
        href: 'https://en.wikipedia.org/wiki/Tea_(meal)',
        ...newTab,
      },
      { text: 'HTTPS://EXAMPLE.ORG/Path', href: 'https://example.org/Path', ...newTab },
    ]);
    expect(await received.textContent()).toBe(text);
    expect(await received.locator(':not(a)').count()).toBe(0);
    expect(await alice.page.locator('.message.own .text a').count()).toBe(3);
    expect(popup.url()).toBe(target);
    expect(await popup.evaluate('window.opener')).toBeNull();
    await popup.close();
  });

  it('refuses a bad room name from the URL with a clear error and no connection, then joins the room typed instead', async () => {
    // Prepare
    const page = await suite.browser.newPage();
    const sockets = recordSockets(page);

    // Act: a room name with a space, as a shared link could carry it
    await page.goto(`${suite.stack.pageUrl}#team%20chat`);
    const error = page.locator('#room-error');
    await error.waitFor();
    const shown = {
      error: await error.textContent(),
      status: await page.locator('#status-text').textContent(),
      messageBoxDisabled: await page.getByLabel('Message', { exact: true }).isDisabled(),
      roomField: await page.getByRole('textbox', { name: 'Room' }).inputValue(),
    };
    const socketsBeforeFix = sockets.length;
    await page.getByRole('textbox', { name: 'Room' }).fill('Team-Chat');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('#status-text', { hasText: /^Connected$/ }).waitFor();

    // Assess
    expect(shown).toEqual({
      error:
        '"team chat" contains a space. Room names are 1 to 32 letters (a–z), digits, "-" or "_", starting with a letter or a digit.',
      status: 'Not connected: choose a room',
      messageBoxDisabled: true,
      roomField: 'team chat',
    });
    expect(socketsBeforeFix).toBe(0);
    expect(sockets).toEqual([`${suite.stack.websocketUrl}?room=team-chat&v=3`]);
    expect(new URL(page.url()).hash).toBe('#team-chat');
    expect(await page.locator('#room-title').textContent()).toBe('#team-chat');
    expect(await error.textContent()).toBe('');
    expect(await page.title()).toBe('#team-chat · AWSome Chat');
    await page.close();
  });

  it('takes the room from ?room= or #, lower-case, into the WebSocket URL and the link to share; the plain URL is the lobby', async () => {
    // Prepare
    const page = await suite.browser.newPage();
    const sockets = recordSockets(page);
    const connected = page.locator('#status-text', { hasText: /^Connected$/ });

    // Act
    await page.goto(`${suite.stack.pageUrl}?room=Support`);
    await connected.waitFor();
    const fromQuery = {
      room: await page.locator('#room-title').textContent(),
      link: await page.getByRole('link', { name: 'Link to this room' }).getAttribute('href'),
      address: page.url(),
    };
    await page.getByRole('textbox', { name: 'Room' }).fill('lobby');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('.system', { hasText: 'Connected to #lobby' }).waitFor();
    const lobbyAddress = page.url();
    await page.goBack();
    await page.locator('.system', { hasText: 'Connected to #support' }).waitFor();

    // Assess
    const canonical = `${suite.stack.pageUrl}#support`;
    expect(fromQuery).toEqual({ room: '#support', link: canonical, address: canonical });
    expect(lobbyAddress).toBe(suite.stack.pageUrl);
    expect(sockets).toEqual([
      `${suite.stack.websocketUrl}?room=support&v=3`,
      `${suite.stack.websocketUrl}?room=lobby&v=3`,
      `${suite.stack.websocketUrl}?room=support&v=3`,
    ]);
    // Switching clears the list: only the latest room's lines are shown.
    expect(await page.locator('.system').allTextContents()).toEqual([
      expect.stringContaining('Connected to #support'),
    ]);
    await page.close();
  });

  it('refuses a name with a text-direction override or nothing visible and messages with nothing visible (a blank Braille pattern, a lone accent), saying why, and sends none', async () => {
    // Prepare
    const url = `${suite.stack.pageUrl}#names`;
    const mallory = await suite.join('\u202eAdmin', { url });
    const bob = await suite.join('Bob', { url });
    const nameError = await mallory.page.locator('#name-error').textContent();

    // Act
    await say(mallory, 'hello from a spoofed name');
    const refusedForName = await mallory.page.locator('#draft-error').textContent();
    await mallory.page.getByLabel('Your name').fill('\u3164');
    const blankNameError = await mallory.page.locator('#name-error').textContent();
    await mallory.page.getByLabel('Your name').fill('Mallory');
    await say(mallory, '\u200b\u2060 \u200d');
    const refusedInvisible = await mallory.page.locator('#draft-error').textContent();
    await say(mallory, '\u2800\u0301');
    const refusedBlank = await mallory.page.locator('#draft-error').textContent();
    await say(mallory, 'Cafe\u0301 now');
    await bob.page.locator('.message', { hasText: 'now' }).waitFor();

    // Assess
    expect(nameError).toBe(
      'Your name cannot be sent. It contains a text-direction control (U+202E, character 1); remove it.',
    );
    expect(refusedForName).toBe(nameError);
    expect(blankNameError).toBe(
      'Your name cannot be sent. It has no visible characters: write one that shows, or leave it empty.',
    );
    expect(refusedInvisible).toBe(
      'This message has no visible characters: write something that shows.',
    );
    expect(refusedBlank).toBe(refusedInvisible);
    expect(await bob.page.locator('.message .text').allTextContents()).toEqual(['Café now']);
    expect(await mallory.page.locator('.message.own .text').allTextContents()).toEqual([
      'Café now',
    ]);
  });

  it('shows each message once by id, history as earlier messages, and the presence count (v2 frames scripted by the test)', async () => {
    // Prepare: the test stands between the page and the real local stack and answers the
    // history request with protocol v2 frames of its own, to control exactly what arrives.
    const message = (id: string, text: string, senderName = 'Carol') => ({
      type: 'message',
      id,
      room: 'lobby',
      message: text,
      senderName,
      senderGravatar: '',
      sentAt: '2026-11-30T08:00:00.000Z',
    });
    const history = (...messages: object[]) =>
      JSON.stringify({ type: 'history', room: 'lobby', messages, part: 1, parts: 1 });
    let route: WebSocketRoute | undefined;
    // Bob joins first: the real backend tells a small room of every join, and Alice's own join
    // (her history request) never reaches it, so the only head count she sees is the script's.
    const bob = await suite.join('Bob');
    const alice = await suite.join('Alice', {
      beforeLoad: async (page) => {
        await installAxe(page);
        await page.routeWebSocket(`${suite.stack.websocketUrl}?room=lobby&v=3`, (ws) => {
          route = ws;
          const server = ws.connectToServer();
          ws.onMessage((frame) => {
            if (typeof frame === 'string' && frame.includes('"action":"history"')) {
              ws.send(
                history(message('01JDA', 'said before you came'), message('01JDB', 'and this')),
              );
              ws.send(JSON.stringify({ type: 'presence', room: 'lobby', count: 3 }));
            } else {
              server.send(frame);
            }
          });
        });
      },
    });
    const lines = alice.page.locator('#message-items > li');
    const texts = async () =>
      lines.evaluateAll((items) =>
        items.map((item) => item.querySelector('.text, .system-text')?.textContent ?? ''),
      );
    if (route === undefined) throw new Error('the page opened no WebSocket');

    // Act: a live message delivered twice, a history part overlapping it, an own message coming
    // back in history, a message for another room, a live message with the room's head count, a
    // message from the real backend
    route.send(JSON.stringify(message('01JDC', 'live, delivered twice')));
    route.send(JSON.stringify(message('01JDC', 'live, delivered twice')));
    route.send(
      history(
        message('01JDB', 'and this'),
        message('01JDC', 'live, delivered twice'),
        message('01JDD', 'newer than the live one'),
      ),
    );
    await say(alice, 'mine');
    route.send(history(message('01JDE', 'mine', 'Alice')));
    route.send(JSON.stringify({ ...message('01JDF', 'for another room'), room: 'dev' }));
    route.send('{"type":"error","code":"rate_limited","message":"slow down","retryAfterMs":1500}');
    await alice.page.locator('#presence', { hasText: '3 people here' }).waitFor();
    route.send(JSON.stringify({ ...message('01JDG', 'with the head count'), members: 5 }));
    await alice.page.locator('#presence', { hasText: '5 people here' }).waitFor();
    await say(bob, 'from the real backend');
    await alice.page.locator('.message', { hasText: 'from the real backend' }).waitFor();

    // Assess
    expect(await texts()).toEqual([
      'said before you came',
      'and this',
      'Connected to #lobby. Say hello!',
      'live, delivered twice',
      'newer than the live one',
      'mine',
      'The server refused a message: you are sending too fast. Wait 2 s, then send it again.',
      'with the head count',
      'from the real backend',
    ]);
    expect(await alice.page.locator('.message.own').count()).toBe(1);
    // The presence count and the history pass axe too.
    expect({
      light: await axeViolations(alice.page, 'light'),
      dark: await axeViolations(alice.page, 'dark'),
    }).toEqual({ light: [], dark: [] });
  });
});
