/**
 * How every command a user runs (`npm start`, `npm run bench`, `npm run build`, `npm run deploy`,
 * `npm run destroy`) reports a failure, so all of them read alike: one line on stderr,
 * `<command>: <what is wrong>. <what to do>`, exit code 2 for a command line the user got wrong
 * and 1 for anything else, and never a stack trace.
 */
import { UsageError } from './flags.ts';

/** A failure the user can act on: its message says what is wrong and what to do about it. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** A class of errors, for {@link CommandOptions.expected}: only `instanceof` uses it. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** How a command names itself and which of its errors need no more words. */
export interface CommandOptions {
  /** The command as the user typed it, e.g. `npm start`; every error line starts with it. */
  readonly name: string;
  /**
   * Said after a usage error, e.g. "Run `npm start -- --help` for the options.", unless the
   * error's message already ends with it.
   */
  readonly usageHint?: string;
  /**
   * Errors besides {@link CommandError} whose message already says what is wrong and what to do
   * (a port in use, a missing build). Any other error is reported as unexpected.
   */
  readonly expected?: readonly ErrorClass[];
}

/** The line to print for a failure, and the exit code it earns. */
export interface CommandFailure {
  readonly line: string;
  readonly exitCode: 1 | 2;
}

/**
 * Words a failure the way every command does.
 * @param options - the command's name, usage hint and expected errors
 * @param error - what the command threw
 * @returns one line (without the newline) and the exit code: 2 for a {@link UsageError}, else 1
 */
export function describeFailure(options: CommandOptions, error: unknown): CommandFailure {
  if (error instanceof UsageError) {
    const problem = sentence(error.message);
    // A message may carry the hint already (readFlags takes one); it is said once.
    const { usageHint } = options;
    const hint = usageHint === undefined || problem.endsWith(usageHint) ? '' : ` ${usageHint}`;
    return { line: `${options.name}: ${problem}${hint}`, exitCode: 2 };
  }
  const expected = [CommandError, ...(options.expected ?? [])];
  if (error instanceof Error && expected.some((type) => error instanceof type)) {
    return { line: `${options.name}: ${sentence(error.message)}`, exitCode: 1 };
  }
  return { line: `${options.name}: ${unexpected(error)}`, exitCode: 1 };
}

/**
 * Runs a command's `main` and ends it the way every command ends: `main`'s result (0 when it
 * returns nothing) is the exit code; a failure is one line on stderr (see {@link describeFailure}).
 * @param options - how the command names itself and which errors need no more words
 * @param main - the command's work; returns its exit code, or nothing for 0
 * @returns the exit code, also set as `process.exitCode`, once the line is written
 */
export async function runCommand(
  options: CommandOptions,
  main: () => Promise<number> | Promise<void>,
): Promise<number> {
  let exitCode: number;
  try {
    const result = await main();
    exitCode = typeof result === 'number' ? result : 0;
  } catch (error) {
    const failure = describeFailure(options, error);
    // Written before the caller may call process.exit: stderr to a pipe is asynchronous on some
    // platforms.
    await new Promise<void>((resolve) =>
      process.stderr.write(`${failure.line}\n`, () => resolve()),
    );
    exitCode = failure.exitCode;
  }
  process.exitCode = exitCode;
  return exitCode;
}

/**
 * An error nobody planned for still says what it was, with its own words; what to do is the one
 * thing left to say.
 */
function unexpected(error: unknown): string {
  const what =
    error instanceof Error ? `${error.name}: ${error.message}${codeOf(error)}` : String(error);
  return (
    `unexpected ${sentence(what)} If the message does not say what to fix, report it with the ` +
    'command you ran.'
  );
}

/** A system error's code (`EACCES`), unless its message already says it. */
function codeOf(error: Error): string {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : '';
}

/** `text` on one line, ending with a full stop (unless it ends with its own punctuation). */
function sentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return 'failed.';
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
