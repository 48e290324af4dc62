/**
 * The load generator: opens N real `ws` clients against a chat WebSocket URL, sends benchmark
 * messages in the chat protocol and measures how long each takes to reach every other client.
 * Works the same against the local stack, the bare baseline server and a deployed stack.
 */
import { WebSocket } from 'ws';
import { openClients, sleep, waitFor } from '../common/clients.ts';
import type { LatencySummary } from '../common/latency.ts';
import { LatencyRecorder } from '../common/latency.ts';
import type { Progress } from '../common/progress.ts';
import type { BenchOptions } from '../options.ts';
import { jsonFields } from './chat-event.ts';
import type { DeliveryCounts } from './delivery-tracker.ts';
import { DeliveryTracker, decodeBenchMessage, encodeBenchMessage } from './delivery-tracker.ts';

/** What one load run does: the flags' settings (`npm run bench -- --help`) and where to run. */
export interface LoadRunOptions
  extends Pick<
    BenchOptions,
    | 'messages'
    | 'warmup'
    | 'rate'
    | 'senders'
    | 'connectRate'
    | 'connectConcurrency'
    | 'origin'
    | 'messageTimeoutMs'
  > {
  readonly websocketUrl: string;
  readonly clients: number;
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** Label for progress lines, e.g. `stack` or `bare ws`. */
  readonly label: string;
  /** Called once every client is connected and before the first message (memory sampling). */
  readonly onAllConnected?: () => Promise<void>;
}

/** Figures of one load run. */
export interface LoadRunResult {
  readonly clientsRequested: number;
  readonly clientsConnected: number;
  readonly connectFailures: number;
  /** Failure reasons and how often each happened, e.g. `{"Unexpected server response: 429": 3}`. */
  readonly connectFailureReasons: Readonly<Record<string, number>>;
  /** Handshake time of each successful connection. */
  readonly connectTime: LatencySummary;
  /** Wall time from the first handshake to the last. */
  readonly connectWallMs: number;
  /** Time until the last recipient had each measured message: the headline figure. */
  readonly allReceived: LatencySummary;
  /** Time until each single recipient had a measured message. */
  readonly eachReceipt: LatencySummary;
  readonly delivery: DeliveryCounts;
  /** Clients the server closed while the run was going on. */
  readonly unexpectedCloses: number;
  /** Frames that were not chat messages (error events, API Gateway error frames). */
  readonly otherFrames: number;
  /** Measured messages still under way when Ctrl-C came; left out of every figure. */
  readonly messagesInterrupted: number;
  /** Wall time of the sending phase (warm-up included). */
  readonly sendWallMs: number;
  /** True when Ctrl-C cut the run short. */
  readonly aborted: boolean;
}

const CLOSE_TIMEOUT_MS = 10_000;

/** Milliseconds on one clock for sends and receipts (both happen in this process). */
const now = (): number => performance.timeOrigin + performance.now();

/**
 * Runs one load test: connect, send, measure, disconnect.
 * @param options - what to run against and how hard
 * @returns the figures, also when aborted part-way (then over what was measured)
 */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const runId = Math.random().toString(36).slice(2, 10);
  const connectTime = new LatencyRecorder();
  const connectStarted = now();
  const { sockets, tally } = await openClients({
    url: options.websocketUrl,
    origin: options.origin,
    count: options.clients,
    concurrency: options.connectConcurrency,
    rate: options.connectRate,
    stopped: () => options.signal.aborted,
    onOpen: (_, handshakeMs) => connectTime.record(handshakeMs),
    onSettled: ({ opened, failed }) =>
      options.progress.update(
        `[${options.label}] connecting ${opened + failed}/${options.clients} (${failed} failed)`,
      ),
  });
  const connectWallMs = now() - connectStarted;
  options.progress.log(
    `[${options.label}] ${sockets.length}/${options.clients} clients connected in ${(connectWallMs / 1000).toFixed(1)} s`,
  );

  const tracker = new DeliveryTracker(sockets.length);
  let otherFrames = 0;
  let unexpectedCloses = 0;
  let closing = false;
  sockets.forEach((socket, index) => {
    socket.on('message', (data, isBinary) => {
      const receivedAt = now();
      const sequence = isBinary ? undefined : readBenchSequence(data.toString(), runId);
      if (sequence === undefined) otherFrames += 1;
      else tracker.recordReceipt(sequence, index, receivedAt);
    });
    socket.on('close', () => {
      if (!closing) unexpectedCloses += 1;
    });
  });

  if (!options.signal.aborted && sockets.length >= 2) await options.onAllConnected?.();
  const sendStarted = now();
  if (sockets.length >= 2) await sendMessages(options, runId, sockets, tracker);
  const sendWallMs = now() - sendStarted;
  const messagesInterrupted = options.signal.aborted
    ? tracker.discardInFlight(now(), options.messageTimeoutMs)
    : 0;

  closing = true;
  await closeClients(sockets);
  return {
    clientsRequested: options.clients,
    clientsConnected: sockets.length,
    connectFailures: options.clients - sockets.length,
    connectFailureReasons: tally.failureReasons,
    connectTime: connectTime.summary(),
    connectWallMs,
    allReceived: tracker.allReceived.summary(),
    eachReceipt: tracker.eachReceipt.summary(),
    delivery: tracker.counts(),
    unexpectedCloses,
    otherFrames,
    messagesInterrupted,
    sendWallMs,
    aborted: options.signal.aborted,
  };
}

/**
 * Picks the sender of the k-th message: senders spread evenly over the connected clients.
 * @param k - message index (warm-up included)
 * @param connected - connected clients
 * @param senders - distinct senders wanted; 0 = all clients
 * @returns the sending client's index
 */
export function pickSender(k: number, connected: number, senders: number): number {
  const distinct = senders === 0 ? connected : Math.min(senders, connected);
  return Math.floor(((k % distinct) * connected) / distinct);
}

function readBenchSequence(frame: string, runId: string): number | undefined {
  const { type, message } = jsonFields(frame);
  if (type !== 'message' || typeof message !== 'string') return undefined;
  const decoded = decodeBenchMessage(message);
  return decoded?.runId === runId ? decoded.sequence : undefined;
}

async function sendMessages(
  options: LoadRunOptions,
  runId: string,
  sockets: readonly WebSocket[],
  tracker: DeliveryTracker,
): Promise<void> {
  const total = options.warmup + options.messages;
  const intervalMs = options.rate > 0 ? 1000 / options.rate : 0;
  const started = performance.now();
  const pending: { sequence: number; sentAt: number }[] = [];
  for (let k = 0; k < total && !options.signal.aborted; k++) {
    if (intervalMs > 0) await sleep(started + k * intervalMs - performance.now());
    const senderIndex = pickSender(k, sockets.length, options.senders);
    const sender = sockets[senderIndex];
    if (sender === undefined || sender.readyState !== WebSocket.OPEN) continue;
    const sentAt = now();
    tracker.registerSent(k, senderIndex, sentAt, k >= options.warmup);
    const text = encodeBenchMessage({ runId, sequence: k, sentAtMs: sentAt });
    sender.send(JSON.stringify({ message: text, senderName: `bench-${senderIndex}` }));
    if (intervalMs === 0) {
      await tracker.waitUntilDelivered(k, options.messageTimeoutMs, options.signal);
    } else {
      pending.push({ sequence: k, sentAt });
    }
    const { count, medianMs } = tracker.allReceived.summary();
    const soFar = count === 0 ? '' : `; median so far ${medianMs.toFixed(1)} ms`;
    options.progress.update(
      `[${options.label}] sent ${k + 1}/${total} (first ${options.warmup} unmeasured)${soFar}`,
    );
  }
  // At a set rate, messages overlap: wait for each until its own deadline.
  for (const { sequence, sentAt } of pending) {
    const remaining = sentAt + options.messageTimeoutMs - now();
    await tracker.waitUntilDelivered(sequence, Math.max(0, remaining), options.signal);
  }
}

async function closeClients(sockets: readonly WebSocket[]): Promise<void> {
  for (const socket of sockets) socket.close(1000, 'benchmark done');
  const closed = (): boolean => sockets.every((socket) => socket.readyState === WebSocket.CLOSED);
  await waitFor(closed, CLOSE_TIMEOUT_MS, 20);
  // Whatever did not finish its closing handshake in time is cut, so no socket outlives the run.
  for (const socket of sockets) socket.terminate();
}
