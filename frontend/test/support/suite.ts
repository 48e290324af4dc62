/**
 * The frame every browser test file shares: one real local stack and one Chromium per file, each
 * member's page checked for errors and dialogs after every test, and the rule that a missing
 * Chromium is a visible skip here and a failure under CI.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../tools/local-stack/src/stack.ts';
import {
  hasChromium,
  launchChromium,
  type Member,
  missingChromiumMessage,
  type OpenOptions,
  openMember,
} from './browser.ts';

/** What a test gets: the running stack and browser, and a way to open the chat as a member. */
export interface ChatSuite {
  readonly stack: LocalStack;
  readonly browser: Browser;
  /**
   * Opens the chat as a new member (see `openMember`), at `url` (default: the stack's page) and
   * closes it after the test, once its page has been checked for errors and dialogs.
   */
  join(
    name: string,
    options?: Partial<OpenOptions> & {
      readonly url?: string;
      readonly prepareContext?: (context: BrowserContext) => Promise<unknown>;
    },
  ): Promise<Member>;
}

const underCi = process.env.CI === 'true';

/** `describe` for a browser test file: `body` registers its tests against a started suite. */
export function describeInChromium(title: string, body: (suite: ChatSuite) => void): void {
  if (!hasChromium && !underCi) console.warn(`Skipping "${title}". ${missingChromiumMessage}`);

  describe.runIf(!hasChromium && underCi)(`${title} under CI`, () => {
    it('has Chromium', () => {
      throw new Error(missingChromiumMessage);
    });
  });

  describe.skipIf(!hasChromium)(title, () => {
    let stack: LocalStack | undefined;
    let browser: Browser | undefined;
    const members: Member[] = [];
    const started = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new Error(`the ${what} did not start`);
      return value;
    };
    const suite: ChatSuite = {
      get stack() {
        return started(stack, 'local stack');
      },
      get browser() {
        return started(browser, 'browser');
      },
      async join(name, options = {}) {
        const { url, prepareContext, ...open } = options;
        const member = await openMember(
          suite.browser,
          url ?? suite.stack.pageUrl,
          { name, ...open },
          prepareContext,
        );
        members.push(member);
        return member;
      },
    };

    beforeAll(async () => {
      stack = await startLocalStack({ httpPort: 0, wsPort: 0, dynamoPort: 0, log: () => {} });
      browser = await launchChromium();
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
      await stack?.stop();
    });

    body(suite);
  });
}
