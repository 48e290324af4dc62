/**
 * Progress lines on stderr while a benchmark connects and sends, so stdout stays clean for
 * `--json`. On a terminal one line is rewritten in place; in a log (CI, a pipe) a line is
 * printed at most every few seconds.
 */

/** Where benchmarks report what they are doing. */
export interface Progress {
  /** Replaces the current progress line (throttled when not on a terminal). */
  update(text: string): void;
  /** Prints a line that stays. */
  log(text: string): void;
}

const LOG_INTERVAL_MS = 2000;

/**
 * Creates the progress reporter for this process's stderr.
 * @param stream - where to write; stderr by default
 * @returns the reporter
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let lastLogged = 0;
  let lineOpen = false;
  const endLine = (): void => {
    if (lineOpen) stream.write('\n');
    lineOpen = false;
  };
  return {
    update(text) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        lineOpen = true;
        return;
      }
      const now = Date.now();
      if (now - lastLogged < LOG_INTERVAL_MS) return;
      lastLogged = now;
      stream.write(`${text}\n`);
    },
    log(text) {
      endLine();
      stream.write(`${text}\n`);
    },
  };
}

/** A reporter that prints nothing, for tests. */
export const silentProgress: Progress = { update: () => {}, log: () => {} };
