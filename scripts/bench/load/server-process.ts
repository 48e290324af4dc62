/**
 * Runs a server under test (the bare ws server or the local stack) in a child process and samples
 * its resident memory from outside, so the figure is the server's own: not the load generator's
 * client sockets, and including any worker processes the stack starts.
 */

import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readTreeRss } from '../shared/process-memory.ts';

/** Which server to run. */
export type ServerTarget = 'bare' | 'stack';

/** What the child reports once it listens. */
export interface ServerReadyMessage {
  readonly type: 'ready';
  readonly websocketUrl: string;
  /** The chat page's URL (local stack only); its origin is what the page's sockets send. */
  readonly pageUrl?: string;
}

/** A server running in a child process. */
export interface ServerProcess {
  readonly websocketUrl: string;
  readonly pageUrl: string | undefined;
  /** Resident memory of the child and its descendants right now (bytes), if /proc is readable. */
  sampleRss(): number | undefined;
  /** @returns the highest RSS seen since start (bytes), if /proc is readable */
  readonly peakRssBytes: number | undefined;
  /** Stops the server and waits for the child to exit. */
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const SAMPLE_INTERVAL_MS = 250;
const START_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts a server under test in a child Node.js process (loaded through tsx) and samples its
 * memory every 250 ms until it stops.
 * @param target - `bare` or `stack`
 * @returns the running server
 */
export async function startServerProcess(target: ServerTarget): Promise<ServerProcess> {
  const child = fork(CHILD_ENTRY, [target], {
    execArgv: ['--import', 'tsx'],
    // The handler's one log line per invocation would flood the report (and is what CloudWatch
    // gets on AWS); errors still reach stderr.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await waitForReady(child, target);
  const pid = child.pid;
  let peak: number | undefined;
  const sample = (): number | undefined => {
    if (pid === undefined) return undefined;
    const rss = readTreeRss(pid);
    if (rss !== undefined) peak = Math.max(peak ?? 0, rss);
    return rss;
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  sampler.unref();
  return {
    websocketUrl: ready.websocketUrl,
    pageUrl: ready.pageUrl,
    sampleRss: sample,
    get peakRssBytes() {
      return peak;
    },
    stop: async () => {
      sample();
      clearInterval(sampler);
      await stopChild(child);
    },
  };
}

function waitForReady(child: ChildProcess, target: ServerTarget): Promise<ServerReadyMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${target} server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('type' in message)) return;
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message as ServerReadyMessage);
      else {
        const reason = 'reason' in message ? String(message.reason) : 'unknown reason';
        reject(new Error(`the ${target} server failed to start: ${reason}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${target} server exited with code ${code} before it was ready`));
    });
  });
}

/**
 * Asks a benchmark child process to stop and waits for it to exit; one that ignores the request
 * is killed after {@link STOP_TIMEOUT_MS}, so stopping is always bounded.
 * @param child - a process started with `fork`
 * @returns when the child has exited
 */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill();
  });
}
