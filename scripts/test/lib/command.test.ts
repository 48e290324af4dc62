/**
 * The one error style of every command: one line on stderr that starts with the command's name,
 * exit code 2 for a usage error and 1 for anything else, and no stack trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandError, describeFailure, runCommand } from '../../lib/command.ts';
import { UsageError } from '../../lib/flags.ts';

class PortTaken extends Error {
  override readonly name = 'PortTaken';
}

const START = {
  name: 'npm start',
  usageHint: 'Run `npm start -- --help` for the options.',
  expected: [PortTaken],
} as const;

describe('describeFailure', () => {
  it('words a usage error as one sentence and the hint, with exit code 2', () => {
    // Act
    const failure = describeFailure(START, new UsageError("Unknown option '--nope'"));
    // Assess
    expect(failure).toEqual({
      line: "npm start: Unknown option '--nope'. Run `npm start -- --help` for the options.",
      exitCode: 2,
    });
  });

  it('says the hint once when the usage error already ends with it', () => {
    // Act
    const failure = describeFailure(
      START,
      new UsageError("Unknown option '--nope'. Run `npm start -- --help` for the options."),
    );
    // Assess
    expect(failure.line).toBe(
      "npm start: Unknown option '--nope'. Run `npm start -- --help` for the options.",
    );
  });

  it('prints a CommandError and an expected error as they are, with exit code 1', () => {
    // Act
    const own = describeFailure(START, new CommandError('terraform apply failed (see above).'));
    const expected = describeFailure(START, new PortTaken('Port 3000 is in use. Stop it'));
    // Assess
    expect(own).toEqual({ line: 'npm start: terraform apply failed (see above).', exitCode: 1 });
    expect(expected).toEqual({ line: 'npm start: Port 3000 is in use. Stop it.', exitCode: 1 });
  });

  it('keeps a message that spans several lines on one', () => {
    // Act
    const { line } = describeFailure(START, new CommandError('first line\n  second line\n'));
    // Assess
    expect(line).toBe('npm start: first line second line.');
  });

  it('names an unexpected error, with its words and what to do, but no stack trace', () => {
    // Prepare
    const error = new TypeError('settings.port is not a number');
    // Act
    const failure = describeFailure({ name: 'npm run build' }, error);
    // Assess
    expect(failure.exitCode).toBe(1);
    expect(failure.line).toBe(
      'npm run build: unexpected TypeError: settings.port is not a number. If the message does ' +
        'not say what to fix, report it with the command you ran.',
    );
    expect(failure.line).not.toContain(' at ');
  });

  it("adds a system error's code when its message leaves it out, and words a thrown non-error", () => {
    // Prepare
    const denied = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    const spelled = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    // Act
    const withCode = describeFailure(START, denied).line;
    const alreadySaid = describeFailure(START, spelled).line;
    const thrownString = describeFailure(START, 'gone').line;
    // Assess
    expect(withCode).toMatch(/^npm start: unexpected Error: permission denied \(EACCES\)\. /);
    expect(alreadySaid).toMatch(/^npm start: unexpected Error: EACCES: permission denied\. /);
    expect(thrownString).toMatch(/^npm start: unexpected gone\. /);
  });

  it('treats an error it was not told to expect as unexpected', () => {
    // Act
    const { line } = describeFailure({ name: 'npm run bench' }, new PortTaken('Port 3000'));
    // Assess
    expect(line).toMatch(/^npm run bench: unexpected PortTaken: Port 3000\. /);
  });
});

describe('runCommand', () => {
  const exitCodeBefore = process.exitCode;

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = exitCodeBefore;
  });

  /** Collects what is written to stderr while `run` runs. */
  async function stderrOf(run: () => Promise<number>): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string, done?: () => void) => {
      stderr += chunk;
      done?.();
      return true;
    }) as typeof process.stderr.write);
    const code = await run();
    return { code, stderr };
  }

  it("returns main's exit code, 0 when it returns nothing, and writes nothing", async () => {
    // Act
    const three = await stderrOf(() => runCommand(START, async () => 3));
    const nothing = await stderrOf(() => runCommand(START, async () => {}));
    // Assess
    expect(three).toEqual({ code: 3, stderr: '' });
    expect(nothing).toEqual({ code: 0, stderr: '' });
    expect(process.exitCode).toBe(0);
  });

  it('ends a failure with one line on stderr and its exit code, also set for the process', async () => {
    // Act
    const usage = await stderrOf(() =>
      runCommand(START, async () => {
        throw new UsageError('--idle-timeout must be a number greater than 0');
      }),
    );
    const exitCodeAfterUsage = process.exitCode;
    const crash = await stderrOf(() =>
      runCommand(START, async () => {
        throw new RangeError('boom');
      }),
    );
    // Assess
    expect(usage).toEqual({
      code: 2,
      stderr:
        'npm start: --idle-timeout must be a number greater than 0. Run `npm start -- --help` ' +
        'for the options.\n',
    });
    expect(exitCodeAfterUsage).toBe(2);
    expect(crash.code).toBe(1);
    expect(crash.stderr).toMatch(/^npm start: unexpected RangeError: boom\. [^\n]*\n$/);
  });
});
