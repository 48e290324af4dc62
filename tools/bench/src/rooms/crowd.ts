/**
 * The crowd: thousands of real WebSocket clients that connect to one room, stay open and count
 * every frame they receive, so the rooms benchmark can show that a message to another room never
 * reached them. They live in a child process (this module is that child): one process cannot
 * hold both ends of 10,000 connections within a usual limit of open files, and their event loop
 * must not slow the stack down.
 */
import type { WebSocket } from 'ws';
import { numberArgument, runAsChild, startChild } from '../common/child-process.ts';
import { type ConnectTally, openClients, sleep } from '../common/clients.ts';

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
  const status = (): Promise<CrowdStatus> => child.request<CrowdStatus>('status');
  return {
    status,
    async settled(onProgress, signal) {
      let current = await status();
      while (current.connectWallMs === undefined && !signal.aborted) {
        onProgress(current);
        await sleep(POLL_INTERVAL_MS);
        current = await status();
      }
      return current;
    },
    stop: () => child.stop(),
  };
}

runAsChild(import.meta.url, 'bench crowd', async (args) => {
  const url = args[0] ?? '';
  const size = numberArgument(args[1], 'the number of clients', 1);
  const concurrency = numberArgument(args[2], 'the handshakes in flight', 1);
  const sockets: WebSocket[] = [];
  let tally: ConnectTally = { opened: 0, failed: 0, failureReasons: {} };
  let framesReceived = 0;
  let closed = 0;
  let stopping = false;
  let connectWallMs: number | undefined;
  const started = performance.now();
  void openClients({
    url,
    count: size,
    concurrency,
    stopped: () => stopping,
    onOpen: (socket) => {
      sockets.push(socket);
      socket.on('message', () => {
        framesReceived += 1;
      });
      socket.on('close', () => {
        if (!stopping) closed += 1;
      });
    },
    onSettled: (live) => {
      tally = live;
    },
  }).then(() => {
    connectWallMs = performance.now() - started;
  });
  return {
    ready: {},
    answers: {
      status: () => ({
        connected: tally.opened,
        failed: tally.failed,
        failureReasons: tally.failureReasons,
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
