/**
 * The per-connection rate limit: a token bucket (burst, then a sustained rate) kept on the
 * connection's own DynamoDB item, so every Lambda container sees the same bucket. It is the
 * generic cell rate algorithm: one number per connection, the "theoretical arrival time" (TAT) of
 * its next message, moved forward by one interval per accepted message, and updated with a
 * conditional UpdateItem so two containers can never both spend the last token.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

/** A token bucket: `burst` messages at once, then `perSecond` messages per second. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/**
 * Whether a message may go out now; an accepted one comes with the sender's room and protocol
 * version, read by the same write.
 */
export type RateDecision =
  | {
      readonly allowed: true;
      readonly room: string | undefined;
      /** Undefined for an old client, whose URL named no version. */
      readonly protocolVersion: number | undefined;
    }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Spends one token of a connection's bucket. */
export interface RateLimiter {
  /**
   * @param connectionId - the sender
   * @param now - the current time
   * @returns allowed, or refused with the time until a token is free
   */
  take(connectionId: string, now: Date): Promise<RateDecision>;
}

/** The attribute holding the bucket's TAT (epoch milliseconds) on the connection item. */
const RATE_ATTRIBUTE = 'rateTat';

/** The numbers one decision compares, derived from the limit and the clock. */
export interface BucketBounds {
  /** Milliseconds one message costs. */
  readonly intervalMs: number;
  /** An idle bucket (TAT at or before this) accepts and restarts at `now + interval`. */
  readonly nowMs: number;
  /** A busy bucket accepts while its TAT is at or below this (burst - 1 intervals ahead). */
  readonly latestTatMs: number;
}

/**
 * The bounds of one decision (pure).
 * @param limit - burst and sustained rate
 * @param now - the current time
 * @returns the interval, now, and the latest TAT that still accepts a message
 */
export function bucketBounds(limit: RateLimit, now: Date): BucketBounds {
  const intervalMs = 1000 / limit.perSecond;
  const nowMs = now.getTime();
  return { intervalMs, nowMs, latestTatMs: nowMs + (limit.burst - 1) * intervalMs };
}

/**
 * Time until a refused sender may send again (pure).
 * @param tatMs - the bucket's TAT when the message was refused
 * @param bounds - the bounds of that decision
 * @returns milliseconds, at least 1
 */
export function retryAfterMs(tatMs: number, bounds: BucketBounds): number {
  return Math.max(1, Math.ceil(tatMs - bounds.latestTatMs));
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly limit: RateLimit;
}

/**
 * The DynamoDB-backed limiter: one conditional write per message (two when the bucket is busy).
 * A connection without an item (never stored, or already deleted) is refused, like a full bucket.
 * @param options - document client, table and limit
 * @returns the limiter
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { client, tableName, limit } = options;
  const key = (connectionId: string) => ({ [contract.table.partitionKey]: connectionId });
  const names = { '#id': contract.table.partitionKey, '#tat': RATE_ATTRIBUTE };

  return {
    async take(connectionId, now) {
      const bounds = bucketBounds(limit, now);
      // An idle bucket: start again one interval from now.
      const idle = await conditionally(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(connectionId),
            UpdateExpression: 'SET #tat = :next',
            ConditionExpression:
              'attribute_exists(#id) AND (attribute_not_exists(#tat) OR #tat <= :now)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':next': bounds.nowMs + bounds.intervalMs,
              ':now': bounds.nowMs,
            },
            // The same write reads the sender's room, which message events do not carry.
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      if (idle.accepted) return accepted(idle.item);
      // A busy bucket: accept while fewer than `burst` messages are ahead of the clock.
      const busy = await conditionally(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(connectionId),
            UpdateExpression: 'SET #tat = #tat + :interval',
            ConditionExpression: 'attribute_exists(#id) AND #tat > :now AND #tat <= :latest',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':interval': bounds.intervalMs,
              ':now': bounds.nowMs,
              ':latest': bounds.latestTatMs,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      if (busy.accepted) return accepted(busy.item);
      const tat = numberValue(busy.item?.[RATE_ATTRIBUTE]);
      return {
        allowed: false,
        // Without the old item (a DynamoDB stand-in that does not return it) one interval is
        // the shortest wait that can succeed.
        retryAfterMs: tat === undefined ? Math.ceil(bounds.intervalMs) : retryAfterMs(tat, bounds),
      };
    },
  };
}

interface ConditionalOutcome {
  readonly accepted: boolean;
  /** The item after an accepted write, or as it was when the condition failed (if returned). */
  readonly item: Record<string, unknown> | undefined;
}

async function conditionally(
  write: Promise<{ Attributes?: Record<string, unknown> }>,
): Promise<ConditionalOutcome> {
  try {
    return { accepted: true, item: (await write).Attributes };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { accepted: false, item: error.Item };
  }
}

function accepted(item: Record<string, unknown> | undefined): RateDecision {
  const room = item?.[contract.table.roomAttribute];
  const version = item?.[contract.table.versionAttribute];
  return {
    allowed: true,
    room: typeof room === 'string' ? room : undefined,
    protocolVersion: typeof version === 'number' ? version : undefined,
  };
}

/** The exception's `Item` comes in DynamoDB's wire format (`{ N: "123" }`). */
function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'N' in value) {
    const parsed = Number((value as { N: unknown }).N);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
