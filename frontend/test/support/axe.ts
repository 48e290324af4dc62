/**
 * axe-core in the browser tests. The page's CSP allows only its own scripts, so axe cannot be
 * added as a `<script>`; it goes in as an init script, which the browser runs through the
 * DevTools protocol before the page's own code, outside the page's CSP. The page keeps its
 * policy as served, and axe is never part of the bundle.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeScriptPath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The rule sets the page must pass: WCAG 2.0 and 2.1, levels A and AA, and best practices. */
export const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

/** Adds axe-core to every document this page loads; call before `goto`. */
export async function installAxe(page: Page): Promise<void> {
  await page.addInitScript({ path: axeScriptPath });
}

/** One broken rule: its id and, for each offending node, its selector and axe's explanation. */
export interface AxeViolation {
  readonly rule: string;
  readonly nodes: readonly string[];
}

/** Runs axe on the whole page as it is now, in the given colour scheme. */
export async function axeViolations(
  page: Page,
  colorScheme: 'light' | 'dark',
): Promise<AxeViolation[]> {
  await page.emulateMedia({ colorScheme });
  return page.evaluate(
    async (tags) => {
      // This runs in the page; the Node.js program that compiles it has no DOM types.
      interface AxeResult {
        violations: { id: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
      }
      const { axe, document } = globalThis as unknown as {
        axe?: { run(context: unknown, options: unknown): Promise<AxeResult> };
        document: unknown;
      };
      if (axe === undefined) throw new Error('axe-core is not on the page: call installAxe');
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
      return result.violations.map((violation) => ({
        rule: violation.id,
        nodes: violation.nodes.map(
          (node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`,
        ),
      }));
    },
    [...axeTags],
  );
}
