/**
 * Bookkeeping of one load run: which client received which benchmark message, when the last
 * recipient got it, what was duplicated, echoed back to its sender or never arrived. Pure (times
 * are passed in), so the counting rules are unit-tested without sockets.
 */

import { LatencyRecorder } from '../common/latency.ts';

/** Prefix of every benchmark message text, so stray chat traffic is never mistaken for ours. */
const MESSAGE_PREFIX = 'bench';

/** What a benchmark message's text carries. */
export interface BenchMessageText {
  readonly runId: string;
  readonly sequence: number;
  /** Send time in milliseconds on the load generator's clock (performance.timeOrigin based). */
  readonly sentAtMs: number;
}

/**
 * Builds the text of a benchmark message: a run id, a sequence number and the send time, so any
 * receipt can be matched to its message and timed without shared state with the server.
 * @param message - what to encode
 * @returns text such as `bench 4f2a 17 1732690000123.456`
 */
export function encodeBenchMessage(message: BenchMessageText): string {
  return `${MESSAGE_PREFIX} ${message.runId} ${message.sequence} ${message.sentAtMs.toFixed(3)}`;
}

/**
 * Reads a benchmark message text back.
 * @param text - the `message` field of a received chat event
 * @returns the decoded fields, or undefined when the text is not a benchmark message
 */
export function decodeBenchMessage(text: string): BenchMessageText | undefined {
  const parts = text.split(' ');
  if (parts.length !== 4 || parts[0] !== MESSAGE_PREFIX) return undefined;
  const [, runId, sequenceText, sentAtText] = parts;
  const sequence = Number(sequenceText);
  const sentAtMs = Number(sentAtText);
  if (runId === undefined || !Number.isSafeInteger(sequence) || !Number.isFinite(sentAtMs)) {
    return undefined;
  }
  return { runId, sequence, sentAtMs };
}

/** How a receipt was classified. */
export type ReceiptOutcome = 'first' | 'completed' | 'duplicate' | 'self' | 'unknown';

/** Counts of one run, for the report. */
export interface DeliveryCounts {
  /** Messages sent and measured (warm-up excluded). */
  readonly messagesSent: number;
  /** Measured messages that reached every other client in time. */
  readonly messagesComplete: number;
  /** Receipts that never arrived within the timeout (summed over all measured messages). */
  readonly receiptsLost: number;
  /** Receipts a client got more than once. */
  readonly receiptsDuplicated: number;
  /** Receipts a sender got of its own message (the protocol says the sender is excluded). */
  readonly receiptsBySender: number;
  /** Receipts that matched no message we sent (another run's, or garbled). */
  readonly receiptsUnknown: number;
}

interface TrackedMessage {
  readonly senderIndex: number;
  readonly sentAtMs: number;
  readonly measured: boolean;
  readonly received: Uint8Array;
  remaining: number;
  settled: boolean;
  onSettled: (() => void) | undefined;
}

/** Tracks every message of one run across all clients. */
export class DeliveryTracker {
  readonly #clientCount: number;
  readonly #messages = new Map<number, TrackedMessage>();
  /** Time until the last recipient had the message: the headline figure. */
  readonly allReceived = new LatencyRecorder();
  /** Time until each single recipient had it, for context. */
  readonly eachReceipt = new LatencyRecorder();
  #duplicated = 0;
  #bySender = 0;
  #unknown = 0;

  /** @param clientCount - connected clients; every message is expected by all but its sender */
  constructor(clientCount: number) {
    this.#clientCount = clientCount;
  }

  /**
   * Registers a message just sent.
   * @param sequence - its unique sequence number in this run
   * @param senderIndex - the sending client
   * @param sentAtMs - send time on the generator's clock
   * @param measured - false for warm-up messages, which are tracked but not counted
   */
  registerSent(sequence: number, senderIndex: number, sentAtMs: number, measured: boolean): void {
    this.#messages.set(sequence, {
      senderIndex,
      sentAtMs,
      measured,
      received: new Uint8Array(this.#clientCount),
      remaining: this.#clientCount - 1,
      settled: this.#clientCount <= 1,
      onSettled: undefined,
    });
  }

  /**
   * Records that a client received a message.
   * @param sequence - the message's sequence number (decoded from its text)
   * @param receiverIndex - the receiving client
   * @param receivedAtMs - receipt time on the generator's clock
   * @returns how the receipt counted
   */
  recordReceipt(sequence: number, receiverIndex: number, receivedAtMs: number): ReceiptOutcome {
    const message = this.#messages.get(sequence);
    if (message === undefined || receiverIndex < 0 || receiverIndex >= this.#clientCount) {
      this.#unknown += 1;
      return 'unknown';
    }
    if (receiverIndex === message.senderIndex) {
      if (message.measured) this.#bySender += 1;
      return 'self';
    }
    if (message.received[receiverIndex] === 1) {
      if (message.measured) this.#duplicated += 1;
      return 'duplicate';
    }
    message.received[receiverIndex] = 1;
    message.remaining -= 1;
    const elapsedMs = receivedAtMs - message.sentAtMs;
    if (message.measured) this.eachReceipt.record(elapsedMs);
    if (message.remaining > 0 || message.settled) return 'first';
    if (message.measured) this.allReceived.record(elapsedMs);
    this.#settle(message);
    return 'completed';
  }

  /**
   * Waits until a message reached every other client, or gives up after the timeout (its missing
   * receipts then count as lost in {@link counts}).
   * @param sequence - the message to wait for
   * @param timeoutMs - how long to wait
   * @param signal - aborts the wait early (Ctrl-C)
   * @returns true when it reached everyone
   */
  waitUntilDelivered(sequence: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const message = this.#messages.get(sequence);
    if (message === undefined) return Promise.resolve(false);
    if (message.settled) return Promise.resolve(message.remaining === 0);
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        message.onSettled = undefined;
        resolve(message.remaining === 0);
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
      message.onSettled = finish;
    });
  }

  /**
   * Forgets measured messages still within their timeout, for a run cut short (Ctrl-C): they
   * were interrupted, not lost. Messages past their timeout stay and count as lost.
   * @param nowMs - the current time on the generator's clock
   * @param timeoutMs - the per-message timeout of the run
   * @returns how many messages were forgotten
   */
  discardInFlight(nowMs: number, timeoutMs: number): number {
    let discarded = 0;
    for (const [sequence, message] of this.#messages) {
      if (message.remaining > 0 && nowMs - message.sentAtMs < timeoutMs) {
        this.#messages.delete(sequence);
        if (message.measured) discarded += 1;
      }
    }
    return discarded;
  }

  /** @returns the counts so far; messages still in flight count their missing receipts as lost */
  counts(): DeliveryCounts {
    let messagesSent = 0;
    let messagesComplete = 0;
    let receiptsLost = 0;
    for (const message of this.#messages.values()) {
      if (!message.measured) continue;
      messagesSent += 1;
      if (message.remaining === 0) messagesComplete += 1;
      receiptsLost += message.remaining;
    }
    return {
      messagesSent,
      messagesComplete,
      receiptsLost,
      receiptsDuplicated: this.#duplicated,
      receiptsBySender: this.#bySender,
      receiptsUnknown: this.#unknown,
    };
  }

  #settle(message: TrackedMessage): void {
    message.settled = true;
    message.onSettled?.();
  }
}
