/**
 * What `npm run test:deployed` says at the end, after vitest's own report: every test it skipped,
 * each with the reason the test gave (`context.skip(reason)`), and what the run used of the
 * stack and what that costs (usage.ts). A vitest reporter, so it sees every test file's results
 * wherever they ran.
 */
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';
import { estimateCost, readUsage, type Usage } from './usage.ts';

/** A test the run skipped, and why. */
export interface SkippedTest {
  /** The file, relative to the repository, e.g. `tools/behaviour/suite/limits.test.ts`. */
  readonly file: string;
  /** The describe blocks and the test's name, joined with ` > `. */
  readonly name: string;
  readonly reason: string;
}

/**
 * The report's text (pure).
 * @param skipped - the tests skipped
 * @param usage - what the run used
 * @returns the lines, ending with a newline
 */
export function formatRunReport(skipped: readonly SkippedTest[], usage: Usage): string {
  const lines: string[] = [''];
  if (skipped.length === 0) {
    lines.push('Skipped no test.');
  } else {
    lines.push(`Skipped ${skipped.length} test${skipped.length === 1 ? '' : 's'}, and why:`);
    for (const test of skipped) {
      lines.push(`  - ${test.file} > ${test.name}`, `    ${test.reason}`);
    }
  }
  const cost = estimateCost(usage);
  lines.push(
    '',
    `This run used ${usage.messagesSent} messages sent and ${usage.messagesReceived} received, ` +
      `${usage.connectionMinutes} connection minutes (${usage.connections} connections) and ` +
      `about ${cost.lambdaInvocations} Lambda invocations:`,
    `about $${dollars(cost.totalDollars)} at us-east-1 list prices (API Gateway ` +
      `$${dollars(cost.apiGatewayDollars)}, Lambda $${dollars(cost.lambdaDollars)}; DynamoDB ` +
      'and free tiers not counted).',
    '',
  );
  return lines.join('\n');
}

function dollars(amount: number): string {
  return amount < 0.01 ? amount.toFixed(5) : amount.toFixed(2);
}

/** Lists the skipped tests and the usage when the run ends, and remembers whether it passed. */
export class RunReport implements Reporter {
  readonly #usageFile: string;
  readonly #write: (text: string) => void;
  #passed = false;

  /**
   * @param usageFile - where the test files added their usage
   * @param write - where the report goes (stdout)
   */
  constructor(usageFile: string, write: (text: string) => void) {
    this.#usageFile = usageFile;
    this.#write = write;
  }

  /** Whether every test that ran passed, with no error outside a test. */
  get passed(): boolean {
    return this.#passed;
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): Promise<void> {
    this.#passed = reason === 'passed' && unhandledErrors.length === 0 && testModules.length > 0;
    const skipped: SkippedTest[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        skipped.push({
          file: module.relativeModuleId,
          name: test.fullName,
          reason: result.note ?? 'no reason given',
        });
      }
    }
    this.#write(formatRunReport(skipped, await readUsage(this.#usageFile)));
  }
}
