/**
 * The chat page in Chromium for the behaviour suite, on the frontend's browser plumbing
 * (frontend/test/support/browser.ts: Debian's Chromium, one browser context per member): a member
 * opens the target's page, in a room of the run, reaching only the target's hosts; what its
 * socket sends spends from the suite's mirror of the runner's budget, and what it uses is counted.
 * A missing Chromium skips the page's tests, saying so, and fails them under CI.
 */
import type { Browser, Page } from 'playwright-core';
import type { TestContext } from 'vitest';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  hasChromium,
  launchChromium,
  type Member,
  missingChromiumMessage,
  type OpenOptions,
  openMember,
  say as typeAndSend,
} from '../../../../frontend/test/support/browser.ts';
import type { UsageMeter } from '../../src/usage.ts';
import type { ChatSuite } from './chat-suite.ts';

/** How a member opens the page. */
export interface PageOptions extends Partial<Omit<OpenOptions, 'name' | 'allowedHosts'>> {
  /** The room, as the page's URL names it (`#room`); the lobby when left out. */
  readonly room?: string;
  /** Runs on the member's browser context before the page opens (routes, Gravatar). */
  readonly prepareContext?: Parameters<typeof openMember>[3];
}

/** What a test file gets. */
export interface PageSuite {
  /** The running browser. */
  readonly browser: Browser;
  /** Opens the page as a new member; it is checked for errors and closed after the test. */
  join(name: string, options?: PageOptions): Promise<Member>;
  /** Types a message and presses Enter, once the runner's budget allows a frame. */
  say(member: Member, text: string): Promise<void>;
  /** The page's URL for a room. */
  urlOf(room: string): string;
}

const underCi = process.env.CI === 'true';

/**
 * Registers the hooks of a test file that drives the page.
 * @param suite - the file's chat suite
 * @returns the page suite, readable once the file's tests run
 */
export function usePages(suite: ChatSuite): PageSuite {
  let browser: Browser | undefined;
  const members: Member[] = [];

  beforeAll(async () => {
    if (hasChromium) browser = await launchChromium();
  });

  beforeEach((context: TestContext) => {
    if (!hasChromium) {
      if (underCi) throw new Error(missingChromiumMessage);
      context.skip(missingChromiumMessage);
    }
    suite.need(context, 'page');
  });

  afterEach(async () => {
    for (const member of members.splice(0)) {
      // Every test's pages must have run without errors, dialogs or CSP violations.
      expect(member.errors).toEqual([]);
      expect(member.dialogs).toEqual([]);
      await member.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  const pages: PageSuite = {
    get browser(): Browser {
      if (browser === undefined) throw new Error('Chromium did not start');
      return browser;
    },
    async join(name, options = {}) {
      const { room, prepareContext, beforeLoad, ...open } = options;
      const target = suite.target;
      // The page asks for the room's history once its socket is open.
      await suite.budget().spend();
      const member = await openMember(
        pages.browser,
        room === undefined ? target.pageUrl : pages.urlOf(room),
        {
          name,
          ...open,
          allowedHosts: [new URL(target.pageUrl).hostname, new URL(target.websocketUrl).hostname],
          beforeLoad: async (page) => {
            meterSockets(page, suite.meter);
            await beforeLoad?.(page);
          },
        },
        prepareContext,
      );
      members.push(member);
      return member;
    },
    async say(member, text) {
      await suite.budget().spend();
      await typeAndSend(member, text);
    },
    urlOf(room) {
      const url = new URL(suite.target.pageUrl);
      url.hash = room;
      return url.href;
    },
  };
  return pages;
}

/** Counts what a page's sockets send and receive, and how long each stays open. */
function meterSockets(page: Page, meter: UsageMeter): void {
  page.on('websocket', (socket) => {
    const openedAt = Date.now();
    meter.handshake(false);
    socket.on('framesent', ({ payload }) => meter.sent(Buffer.byteLength(payload)));
    socket.on('framereceived', ({ payload }) => meter.received(Buffer.byteLength(payload)));
    socket.on('close', () => meter.connection(Date.now() - openedAt));
  });
}
