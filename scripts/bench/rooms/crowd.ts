/**
 * The crowd: thousands of real WebSocket clients that connect to one room, stay open and count
 * every frame they receive, so the rooms benchmark can show that a message to another room never
 * reached them. They live in a child process (this module is that child): one process cannot
 * hold both ends of 10,000 connections within a usual limit of open files, and their event loop
 * must not slow the stack down.
 */
import type { WebSocket } from 'ws';
import { numberArgument, runAsChild, startChild } from '../common/child-process.ts';
import { openClient } from '../load/generator.ts';

/** What the crowd has done so far. */
export interface CrowdStatus {
  readonly connected: number;
  readonly failed: number;
  /** Failure reasons and how often each happened. */
  readonly failureReasons: Readonly<Record<string, number>>;
  /** Frames received by all clients together since they connected. */
  readonly framesReceived: number;
  /** Clients the server closed. */
  readonly closed: number;
  /** From the first handshake to the last one settled; undefined while some are under way. */
  readonly connectWallMs: number | undefined;
}

/** The crowd, running in its own process. */
export interface Crowd {
  readonly size: number;
  status(): Promise<CrowdStatus>;
  /** Waits until every handshake succeeded or failed, reporting progress. */
  settled(onProgress: (status: CrowdStatus) => void, signal: AbortSignal): Promise<CrowdStatus>;
  /** Cuts every connection and ends the process. */
  stop(): Promise<void>;
}

const POLL_INTERVAL_MS = 500;

/**
 * Starts connecting `size` clients to `url` in a child process, `concurrency` handshakes at a time.
 * @param url - the WebSocket URL with its `room` query
 * @param size - how many clients
 * @param concurrency - handshakes in flight at once
 * @returns the crowd, still connecting
 */
export async function startCrowd(url: string, size: number, concurrency: number): Promise<Crowd> {
  const child = await startChild({
    module: import.meta.url,
    args: [url, String(size), String(concurrency)],
    name: 'the crowd of WebSocket clients',
  });
  const status = async (): Promise<CrowdStatus> => toStatus(await child.request('status'));
  return {
    size,
    status,
    async settled(onProgress, signal) {
      let current = await status();
      while (current.connectWallMs === undefined && !signal.aborted) {
        onProgress(current);
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
        current = await status();
      }
      return current;
    },
    stop: () => child.stop(),
  };
}

function toStatus(fields: Readonly<Record<string, unknown>>): CrowdStatus {
  return {
    connected: Number(fields.connected),
    failed: Number(fields.failed),
    failureReasons: (fields.failureReasons ?? {}) as Record<string, number>,
    framesReceived: Number(fields.framesReceived),
    closed: Number(fields.closed),
    connectWallMs: typeof fields.connectWallMs === 'number' ? fields.connectWallMs : undefined,
  };
}

runAsChild(import.meta.url, 'bench crowd', async (args) => {
  const url = args[0] ?? '';
  const size = numberArgument(args[1], 'the number of clients', 1);
  const concurrency = numberArgument(args[2], 'the handshakes in flight', 1);
  const sockets: WebSocket[] = [];
  const failureReasons: Record<string, number> = {};
  let failed = 0;
  let framesReceived = 0;
  let closed = 0;
  let stopping = false;
  let connectWallMs: number | undefined;
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < size && !stopping) {
      next += 1;
      try {
        const socket = await openClient(url, undefined);
        sockets.push(socket);
        socket.on('message', () => {
          framesReceived += 1;
        });
        socket.on('close', () => {
          if (!stopping) closed += 1;
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
        failed += 1;
      }
    }
  };
  void Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    connectWallMs = performance.now() - started;
  });
  return {
    ready: {},
    answers: {
      status: () => ({
        connected: sockets.length,
        failed,
        failureReasons,
        framesReceived,
        closed,
        connectWallMs,
      }),
    },
    stop: async () => {
      stopping = true;
      for (const socket of sockets) socket.terminate();
    },
  };
});
