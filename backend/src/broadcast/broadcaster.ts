/**
 * Posts one payload to a list of connections with bounded concurrency. One recipient's failure
 * never stops the others; a recipient that is gone (410) has its own stale item deleted; a
 * recipient whose post failed for a passing reason (throttled, a full client buffer, a server or
 * network error) is handed back for a later retry; and once `shouldStop` says the invocation's
 * deadline is near, no new post starts: the rest are handed back unsent.
 */
import { errorName, toPostToConnectionError } from '../errors.ts';
import { forEachWithConcurrency } from './pool.ts';
import type { PostToConnection } from './poster.ts';

/** How one failed PostToConnection is treated. */
export type SendFailureKind = 'gone' | 'forbidden' | 'retryable' | 'failed';

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
  /** Failures by error name, e.g. `{ "LimitExceededException": 3 }`, for the log line. */
  errorNames: Record<string, number>;
  /** Recipients whose post failed for a passing reason (429, 5xx, network, timeout). */
  retry: string[];
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
}

/**
 * Posts `payload` to every connection id, at most `options.concurrency` at a time.
 * @param connectionIds - the recipients
 * @param payload - the serialised event, encoded once and shared by every post
 * @param options - poster, concurrency, gone-recipient clean-up and the deadline check
 * @returns the counts and the recipients to retry or hand off; never rejects
 */
export async function broadcastToConnections(
  connectionIds: readonly string[],
  payload: string | Uint8Array,
  options: BroadcastOptions,
): Promise<BroadcastResult> {
  const { post, concurrency, onGone, shouldStop, now = Date.now } = options;
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const result = emptyBroadcastResult();

  await forEachWithConcurrency(connectionIds, concurrency, async (connectionId) => {
    if (shouldStop?.()) {
      result.unsent.push(connectionId);
      return;
    }
    try {
      await post(connectionId, data);
      result.delivered++;
      result.lastDeliveredAt = now();
      return;
    } catch (error) {
      const kind = classifySendFailure(error);
      if (kind === 'gone') {
        result.gone++;
      } else {
        const name = errorName(error);
        result.errorNames[name] = (result.errorNames[name] ?? 0) + 1;
        if (kind === 'retryable') result.retry.push(connectionId);
        else result.failed++;
        if (kind === 'forbidden') result.forbidden++;
      }
      if (kind !== 'gone' || onGone === undefined) return;
    }
    try {
      await onGone(connectionId);
    } catch {
      result.staleDeleteFailed++;
    }
  });
  return result;
}

/** A result with nothing counted yet. */
export function emptyBroadcastResult(): BroadcastResult {
  return {
    delivered: 0,
    gone: 0,
    failed: 0,
    forbidden: 0,
    staleDeleteFailed: 0,
    errorNames: {},
    retry: [],
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
