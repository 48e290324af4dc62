/**
 * Runs the slow management endpoint in a child process and talks to it over IPC, so the fan-out
 * benchmark's broadcaster has its event loop to itself, as a Lambda function would.
 */

import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../load/server-process.ts';

/** Counters of the endpoint since its last reset. */
export interface EndpointCounters {
  readonly calls: number;
  readonly peakInFlight: number;
}

/** The endpoint running in its own process. */
export interface SlowEndpointProcess {
  /** Base URL including the stage, as APIGW_ENDPOINT would be. */
  readonly endpoint: string;
  resetCounters(): Promise<void>;
  readCounters(): Promise<EndpointCounters>;
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./slow-endpoint-child.ts', import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;

/**
 * Starts the endpoint in a child Node.js process (loaded through tsx).
 * @param delayMs - how long every POST takes to answer
 * @param stage - the stage path segment of the endpoint URL
 * @returns the endpoint's URL and its remote-controlled counters
 */
export async function startSlowEndpointProcess(
  delayMs: number,
  stage: string,
): Promise<SlowEndpointProcess> {
  const child = fork(CHILD_ENTRY, [String(delayMs), stage], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: Record<string, unknown>;
  try {
    ready = await reply(child, 'ready', undefined);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const endpoint = String(ready.endpoint);
  return {
    endpoint,
    resetCounters: async () => {
      await reply(child, 'reset-done', { type: 'reset' });
    },
    readCounters: async () => {
      const counters = await reply(child, 'counters', { type: 'counters' });
      return { calls: Number(counters.calls), peakInFlight: Number(counters.peakInFlight) };
    },
    // Bounded: a child that ignores the stop request is killed.
    stop: () => stopChild(child),
  };
}

/** Sends a request (if any) and waits for the child's message of the given type. */
function reply(
  child: ChildProcess,
  type: string,
  request: object | undefined,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const cleanUp = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null) return;
      if (!('type' in message) || message.type !== type) return;
      cleanUp();
      resolve(message as Record<string, unknown>);
    };
    const onExit = (code: number | null): void => {
      cleanUp();
      reject(new Error(`the slow management endpoint exited (code ${code})`));
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`the slow management endpoint did not answer '${type}' in time`));
    }, REPLY_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (request !== undefined) child.send(request);
  });
}
