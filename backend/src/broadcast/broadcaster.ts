/**
 * Posts one payload to a list of connections with bounded concurrency. One recipient's failure
 * never stops the others; a recipient that is gone (410) has its own stale item deleted; a
 * recipient whose post failed for a passing reason (a server or network error, a full client
 * buffer) is handed back for a later retry; one whose post was refused for good (403, 413) is
 * handed back as rejected; and once `shouldStop` says the invocation's deadline is near, no new
 * post starts: the rest are handed back unsent.
 *
 * With a pacer (pacer.ts) every post waits for its instant, and a throttled post (429) is not a
 * failure: it waits a little and goes again, in this invocation. API Gateway answers the same
 * `LimitExceededException` for the account's throttle and for one client whose send buffer is
 * full (the Management API reference's PostToConnection errors), so the two are told apart by
 * pattern: a recipient throttled {@link FULL_BUFFER_THROTTLES} times while other posts of the
 * broadcast succeed is taken to be a slow reader and handed back for a later retry (an attempt),
 * without slowing the rest; 429s across several recipients slow the pacer down.
 */
import { errorName, toPostToConnectionError } from '../errors.ts';
import type { Pacer } from './pacer.ts';
import { forEachWithConcurrency } from './pool.ts';
import type { PostToConnection } from './poster.ts';

/** How one failed PostToConnection is treated. */
export type SendFailureKind = 'gone' | 'forbidden' | 'retryable' | 'failed';

/** Throttles of one recipient, while others succeed, that mean its own buffer is full. */
export const FULL_BUFFER_THROTTLES = 3;
/**
 * A recipient throttled this often goes back for a later retry whatever the others do: a bound
 * for an invocation without a deadline (at the waits below, about 16 s of waiting).
 */
const MAX_THROTTLE_WAITS = 20;
/** The first wait of a throttled post; it doubles with each throttle, up to the maximum. */
const FIRST_THROTTLE_WAIT_MS = 50;
const MAX_THROTTLE_WAIT_MS = 1000;

/** Counts and leftovers of one broadcast. */
export interface BroadcastResult {
  /** Posts the management API accepted. */
  delivered: number;
  /** Recipients that no longer exist (410); their items were deleted. */
  gone: number;
  /** Recipients whose post failed for good (403, 413, anything unknown). */
  failed: number;
  /** Failures that were 403: the endpoint or the IAM policy is wrong, not the recipient. */
  forbidden: number;
  /** Gone recipients whose item could not be deleted (TTL still removes it later). */
  staleDeleteFailed: number;
  /** 429 answers (with a pacer: waits, not attempts). */
  throttled: number;
  /** Of `retry`: recipients whose own send buffer was full. */
  bufferFull: number;
  /** Failures by error name, e.g. `{ "LimitExceededException": 3 }`, for the log line. */
  errorNames: Record<string, number>;
  /** Recipients whose post failed for a passing reason (5xx, network, timeout, a full buffer). */
  retry: string[];
  /** Recipients whose post failed for good: the `failed` ones, by id. */
  rejected: string[];
  /** Recipients never attempted because the deadline came first. */
  unsent: string[];
  /** When the last successful post was answered (epoch ms); undefined when none was. */
  lastDeliveredAt?: number;
}

/** Options of {@link broadcastToConnections}. */
export interface BroadcastOptions {
  /** Sends one post. */
  readonly post: PostToConnection;
  /** Most posts in flight at once. */
  readonly concurrency: number;
  /** Deletes a gone recipient's item; called with that recipient's id, never the sender's. */
  readonly onGone?: (connectionId: string) => Promise<void>;
  /** True once no new post may start (the invocation must hand the rest off). */
  readonly shouldStop?: () => boolean;
  /** The clock of `lastDeliveredAt` (epoch ms); `Date.now` by default. */
  readonly now?: () => number;
  /**
   * Paces the posts, and makes a throttled post wait and go again. Without one, a 429 is handed
   * back for a later retry like a 5xx.
   */
  readonly pacer?: Pacer;
  /** Whether the posts lease the shared budget (with a pacer). */
  readonly leased?: boolean;
  /** Waits before a throttled post goes again; tests pass their clock's. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/**
 * Posts `payload` to every connection id, at most `options.concurrency` at a time.
 * @param connectionIds - the recipients
 * @param payload - the serialised event, encoded once and shared by every post
 * @param options - poster, concurrency, gone-recipient clean-up, the deadline check and pacing
 * @returns the counts and the recipients to retry, dead-letter or hand off; never rejects
 */
export async function broadcastToConnections(
  connectionIds: readonly string[],
  payload: string | Uint8Array,
  options: BroadcastOptions,
): Promise<BroadcastResult> {
  const { post, concurrency, onGone, shouldStop, now = Date.now, pacer } = options;
  const leased = pacer !== undefined && options.leased === true;
  const sleep = options.sleep ?? defaultSleep;
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const result = emptyBroadcastResult();
  const work = new WorkList(connectionIds);
  let successes = 0;
  const throttles = new Map<string, { count: number; successesBefore: number }>();
  if (leased) pacer.expect(connectionIds.length);

  const countError = (error: unknown): void => {
    const name = errorName(error);
    result.errorNames[name] = (result.errorNames[name] ?? 0) + 1;
  };

  /** A throttled post: wait and go again, or hand back a recipient whose own buffer is full. */
  const throttled = (connectionId: string, startedAt: number, error: unknown): void => {
    result.throttled++;
    countError(error);
    (pacer as Pacer).throttled(connectionId, startedAt);
    const state = throttles.get(connectionId) ?? { count: 0, successesBefore: successes };
    state.count++;
    throttles.set(connectionId, state);
    const othersSucceed = successes > state.successesBefore;
    if (
      (state.count >= FULL_BUFFER_THROTTLES && othersSucceed) ||
      state.count >= MAX_THROTTLE_WAITS
    ) {
      result.retry.push(connectionId);
      if (othersSucceed) result.bufferFull++;
      return;
    }
    if (leased) pacer.expect(1);
    const wait = Math.min(MAX_THROTTLE_WAIT_MS, FIRST_THROTTLE_WAIT_MS * 2 ** (state.count - 1));
    work.later(connectionId, sleep(wait * (0.5 + Math.random() * 0.5)));
  };

  const attempt = async (connectionId: string): Promise<void> => {
    if (shouldStop?.() || (pacer !== undefined && !(await pacer.acquire(leased)))) {
      result.unsent.push(connectionId);
      return;
    }
    const startedAt = now();
    try {
      await post(connectionId, data);
      result.delivered++;
      result.lastDeliveredAt = now();
      successes++;
      pacer?.delivered();
      return;
    } catch (error) {
      const typed = toPostToConnectionError(error);
      if (typed.kind === 'throttled' && pacer !== undefined) {
        throttled(connectionId, startedAt, error);
        return;
      }
      const kind = classifySendFailure(typed);
      if (kind === 'gone') {
        result.gone++;
      } else {
        countError(error);
        if (kind === 'retryable') {
          result.retry.push(connectionId);
        } else {
          result.failed++;
          result.rejected.push(connectionId);
        }
        if (kind === 'forbidden') result.forbidden++;
      }
      if (kind !== 'gone' || onGone === undefined) return;
    }
    try {
      await onGone(connectionId);
    } catch {
      result.staleDeleteFailed++;
    }
  };

  await forEachWithConcurrency(work.items(), concurrency, async (connectionId) => {
    try {
      await attempt(connectionId);
    } finally {
      work.done();
    }
  });
  if (leased) pacer.expect(-result.unsent.length);
  return result;
}

/**
 * The recipients still to post: the list, plus throttled ones that come back after their wait.
 * Its items end only when nothing is left, in flight, or waiting to come back.
 */
class WorkList {
  readonly #queue: string[];
  #next = 0;
  #inFlight = 0;
  #waiting = 0;
  #wake: (() => void) | undefined;

  constructor(connectionIds: readonly string[]) {
    this.#queue = [...connectionIds];
  }

  /** Puts a recipient back once `after` settles. */
  later(connectionId: string, after: Promise<void>): void {
    this.#waiting++;
    void after.then(() => {
      this.#waiting--;
      this.#queue.push(connectionId);
      this.#changed();
    });
  }

  /** A taken recipient is finished with (posted, failed, handed back or waiting). */
  done(): void {
    this.#inFlight--;
    this.#changed();
  }

  async *items(): AsyncGenerator<string> {
    while (true) {
      if (this.#next < this.#queue.length) {
        // Counted in flight before it is handed out: another worker's pull may run next.
        this.#inFlight++;
        yield this.#queue[this.#next++] as string;
        continue;
      }
      if (this.#inFlight === 0 && this.#waiting === 0) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #changed(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function defaultSleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A result with nothing counted yet. */
export function emptyBroadcastResult(): BroadcastResult {
  return {
    delivered: 0,
    gone: 0,
    failed: 0,
    forbidden: 0,
    staleDeleteFailed: 0,
    throttled: 0,
    bufferFull: 0,
    errorNames: {},
    retry: [],
    rejected: [],
    unsent: [],
  };
}

/**
 * How a broadcast treats a PostToConnection failure.
 * @param error - what the poster threw
 * @returns `gone` for 410; `forbidden` for 403 (wrong endpoint or IAM); `retryable` for 429
 *   (throttled, or the client's buffer is full), 5xx and errors without a status (network,
 *   timeout); `failed` for anything else, e.g. 413
 */
export function classifySendFailure(error: unknown): SendFailureKind {
  const { kind } = toPostToConnectionError(error);
  if (kind === 'throttled' || kind === 'unavailable') return 'retryable';
  if (kind === 'rejected') return 'failed';
  return kind;
}
