/**
 * WebSocket clients as every benchmark opens them (one, or thousands at a bounded pace), and the
 * waiting the benchmarks do in between.
 */
import { WebSocket } from 'ws';

const HANDSHAKE_TIMEOUT_MS = 15_000;

/**
 * Opens one client and waits for its handshake; a later socket error only closes it.
 * @param url - the WebSocket URL, room query included
 * @param origin - the Origin header to send, if any
 * @returns the open socket
 * @throws the handshake's error (refused, timed out, reset)
 */
export function openClient(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      ...(origin === undefined ? {} : { origin }),
    });
    socket.once('open', () => {
      socket.removeAllListeners('error');
      // A later socket error must not crash the benchmark; the close it causes is counted.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', (error) => {
      socket.terminate();
      reject(error);
    });
  });
}

/** How {@link openClients} opens its clients. */
export interface OpenClientsOptions {
  readonly url: string;
  readonly origin?: string | undefined;
  readonly count: number;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
  /** New handshakes per second; 0 or none means unpaced. */
  readonly rate?: number;
  /** Starts no further handshake once this says so (Ctrl-C, a stopping process). */
  readonly stopped: () => boolean;
  /** Called with each client as its handshake succeeds, and how long that took. */
  readonly onOpen?: (socket: WebSocket, handshakeMs: number) => void;
  /** Called after every handshake, successful or not, with the live tally. */
  readonly onSettled?: (tally: ConnectTally) => void;
}

/** Handshakes so far: how many succeeded, failed, and why. */
export interface ConnectTally {
  opened: number;
  failed: number;
  /** Failure reasons and how often each happened, e.g. `{"Unexpected server response: 429": 3}`. */
  readonly failureReasons: Record<string, number>;
}

/**
 * Opens `count` clients, `concurrency` handshakes at a time and at most `rate` a second.
 * @param options - where, how many and how fast
 * @returns the open sockets in the order their handshakes started, and the tally
 */
export async function openClients(
  options: OpenClientsOptions,
): Promise<{ sockets: WebSocket[]; tally: ConnectTally }> {
  const slots: (WebSocket | undefined)[] = new Array(options.count);
  const tally: ConnectTally = { opened: 0, failed: 0, failureReasons: {} };
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < options.count && !options.stopped(); index = next++) {
      if (options.rate !== undefined && options.rate > 0) {
        // Paced: the i-th handshake starts no earlier than i / rate seconds after the first.
        await sleep(started + (index * 1000) / options.rate - performance.now());
      }
      const handshakeStarted = performance.now();
      try {
        const socket = await openClient(options.url, options.origin);
        slots[index] = socket;
        tally.opened += 1;
        options.onOpen?.(socket, performance.now() - handshakeStarted);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        tally.failureReasons[reason] = (tally.failureReasons[reason] ?? 0) + 1;
        tally.failed += 1;
      }
      options.onSettled?.(tally);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { sockets: slots.filter((socket) => socket !== undefined), tally };
}

/**
 * Waits `ms` milliseconds.
 * @param ms - how long; none or less resolves at once
 */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns something truthy or `timeoutMs` passed.
 * @param check - the condition, checked at once and then every `intervalMs`
 * @param timeoutMs - how long to keep polling
 * @param intervalMs - the pause between two checks
 * @returns what `check` returned last: falsy when the time ran out
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  intervalMs = 5,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let result = await check();
  while (!result && performance.now() < deadline) {
    await sleep(intervalMs);
    result = await check();
  }
  return result;
}
