/**
 * Token buckets in DynamoDB: a burst, then a sustained rate, kept on an item every Lambda
 * container sees. The connection's own bucket lives on its connection item; a person's (a
 * signed-in user's, or a source IP's without sign-in) on an item of the rooms table (people.ts).
 *
 * It is the generic cell rate algorithm: one number per bucket, the "theoretical arrival time"
 * (TAT) of its next frame, moved forward by one interval per frame, and updated with conditional
 * UpdateItems so two containers can never both spend the last token.
 *
 * Every frame spends, the refused ones too: a sender that keeps sending while refused only pushes
 * its next allowed frame further out. The overdraft is capped at one more burst; a frame that finds
 * the bucket overdrawn that far is not spent (the cap bounds how long anyone is locked out), and
 * tells the caller to close the connection: a client that keeps sending far over its budget is
 * disconnected, so it cannot hold the stage's shared throttle.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

/** A token bucket: `burst` frames at once, then `perSecond` frames per second. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/**
 * Whether a frame may go out now; an accepted one comes with the sender's room and protocol
 * version, read by the same write (on a connection's own bucket).
 */
export type RateDecision =
  | {
      readonly allowed: true;
      readonly room: string | undefined;
      /** Undefined for an old client, whose URL named no version. */
      readonly protocolVersion: number | undefined;
    }
  | {
      readonly allowed: false;
      readonly retryAfterMs: number;
      /** Set when the bucket was overdrawn by a whole burst: close the connection. */
      readonly overdrawn?: true;
    };

/** Spends one token of a connection's bucket. */
export interface RateLimiter {
  /**
   * @param connectionId - the sender
   * @param now - the current time
   * @returns allowed, or refused with the time until a token is free
   */
  take(connectionId: string, now: Date): Promise<RateDecision>;
}

/** The attribute holding a bucket's TAT (epoch milliseconds). */
export const RATE_ATTRIBUTE = 'rateTat';

/** The numbers one decision compares, derived from the limit and the clock. */
export interface BucketBounds {
  /** Milliseconds one frame costs. */
  readonly intervalMs: number;
  /** An idle bucket (TAT at or before this) accepts and restarts at `now + interval`. */
  readonly nowMs: number;
  /** A busy bucket accepts while its TAT is at or below this (burst - 1 intervals ahead). */
  readonly latestTatMs: number;
  /**
   * A busy bucket spends (accepting or refusing) while its TAT is at or below this: one more
   * burst of refused frames. Beyond it the bucket is overdrawn.
   */
  readonly overdraftTatMs: number;
}

/**
 * The bounds of one decision (pure).
 * @param limit - burst and sustained rate
 * @param now - the current time
 * @returns the interval, now, the latest TAT that still accepts a frame, and the overdraft's end
 */
export function bucketBounds(limit: RateLimit, now: Date): BucketBounds {
  const intervalMs = 1000 / limit.perSecond;
  const nowMs = now.getTime();
  return {
    intervalMs,
    nowMs,
    latestTatMs: nowMs + (limit.burst - 1) * intervalMs,
    overdraftTatMs: nowMs + (2 * limit.burst - 1) * intervalMs,
  };
}

/**
 * Time until a refused sender may send again (pure).
 * @param tatMs - the bucket's TAT after the refused frame
 * @param bounds - the bounds of that decision
 * @returns milliseconds, at least 1
 */
export function retryAfterMs(tatMs: number, bounds: BucketBounds): number {
  return Math.max(1, Math.ceil(tatMs - bounds.latestTatMs));
}

/**
 * Whether a bucket is in its overdraft: its sender kept sending while refused (pure). What
 * `$connect` checks, so a person just disconnected for flooding cannot come straight back, while
 * one who merely used up a burst can.
 * @param tatMs - the bucket's TAT, undefined for a bucket never spent
 * @param limit - the bucket's limit
 * @param now - the current time
 * @returns true when refused frames have been spent beyond the burst and not yet run down
 */
export function isInOverdraft(tatMs: number | undefined, limit: RateLimit, now: Date): boolean {
  const bounds = bucketBounds(limit, now);
  return tatMs !== undefined && tatMs > bounds.latestTatMs + bounds.intervalMs + 0.001;
}

/** Where a bucket is kept. */
export interface BucketItem {
  readonly tableName: string;
  readonly key: Readonly<Record<string, unknown>>;
  /** An attribute the item must have, or nothing is spent (a connection item's key). */
  readonly mustHave?: string;
  /** Set on an item the spending creates, so it expires (epoch seconds). */
  readonly expiresAt?: number;
}

/** What spending a token came to. */
export type Spending =
  | { readonly outcome: 'accepted'; readonly item: Record<string, unknown> | undefined }
  | {
      readonly outcome: 'refused' | 'overdrawn';
      readonly retryAfterMs: number;
      readonly item: Record<string, unknown> | undefined;
    }
  /** The item (or its required attribute) is not there. */
  | { readonly outcome: 'missing'; readonly retryAfterMs: number };

/**
 * Spends one token of a bucket: one conditional write when the bucket is idle, two when it is
 * busy. Only a bucket overdrawn beyond its cap costs more, and only on a DynamoDB stand-in that
 * does not return the item with a failed condition (dynalite): one consistent read.
 * @param client - the document client
 * @param bucket - where the bucket is kept
 * @param limit - its limit
 * @param now - the current time
 * @returns accepted (with the item after the write), refused or overdrawn (with the wait), or
 *   missing
 */
export async function spendToken(
  client: DynamoDBDocumentClient,
  bucket: BucketItem,
  limit: RateLimit,
  now: Date,
): Promise<Spending> {
  const bounds = bucketBounds(limit, now);
  const names: Record<string, string> = { '#tat': RATE_ATTRIBUTE };
  const must = bucket.mustHave === undefined ? '' : 'attribute_exists(#must) AND ';
  if (bucket.mustHave !== undefined) names['#must'] = bucket.mustHave;
  const expiry = bucket.expiresAt === undefined ? '' : ', #exp = if_not_exists(#exp, :exp)';
  if (bucket.expiresAt !== undefined) names['#exp'] = contract.roomsTable.ttlAttribute;
  const expiryValue = bucket.expiresAt === undefined ? {} : { ':exp': bucket.expiresAt };

  // An idle bucket: start again one interval from now.
  const idle = await conditionally(
    client.send(
      new UpdateCommand({
        TableName: bucket.tableName,
        Key: bucket.key,
        UpdateExpression: `SET #tat = :next${expiry}`,
        ConditionExpression: `${must}(attribute_not_exists(#tat) OR #tat <= :now)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':next': bounds.nowMs + bounds.intervalMs,
          ':now': bounds.nowMs,
          ...expiryValue,
        },
        // The same write reads the rest of the item (a connection's room, which frames do not
        // carry).
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (idle.accepted) return { outcome: 'accepted', item: idle.item };
  // A busy bucket: every frame spends, accepted while fewer than `burst` are ahead of the clock,
  // refused in the overdraft after that.
  const busy = await conditionally(
    client.send(
      new UpdateCommand({
        TableName: bucket.tableName,
        Key: bucket.key,
        UpdateExpression: `SET #tat = #tat + :interval${expiry}`,
        ConditionExpression: `${must}#tat > :now AND #tat <= :overdraft`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':interval': bounds.intervalMs,
          ':now': bounds.nowMs,
          ':overdraft': bounds.overdraftTatMs,
          ...expiryValue,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if (busy.accepted) {
    const tat = numberValue(busy.item?.[RATE_ATTRIBUTE]) ?? bounds.nowMs;
    // Accepted when the TAT before it was at most the latest; a microsecond's tolerance for the
    // sums of fractional intervals.
    return tat <= bounds.latestTatMs + bounds.intervalMs + 0.001
      ? { outcome: 'accepted', item: busy.item }
      : { outcome: 'refused', retryAfterMs: retryAfterMs(tat, bounds), item: busy.item };
  }
  // Both conditions failed: the item is gone, or the bucket is overdrawn beyond its cap.
  const item = busy.item ?? (await readItem(client, bucket));
  const tat = numberValue(item?.[RATE_ATTRIBUTE]);
  if (item === undefined || (bucket.mustHave !== undefined && !(bucket.mustHave in item))) {
    // One interval is the shortest wait that can succeed.
    return { outcome: 'missing', retryAfterMs: Math.ceil(bounds.intervalMs) };
  }
  if (tat !== undefined && tat > bounds.overdraftTatMs) {
    return { outcome: 'overdrawn', retryAfterMs: retryAfterMs(tat, bounds), item };
  }
  // Only a bucket deleted and created again between the two writes gets here.
  return {
    outcome: 'refused',
    retryAfterMs: tat === undefined ? Math.ceil(bounds.intervalMs) : retryAfterMs(tat, bounds),
    item,
  };
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly limit: RateLimit;
}

/**
 * The connection's own bucket, on its item in the connections table: one conditional write per
 * frame (two when the bucket is busy). A connection without an item (never stored, or already
 * deleted) is refused, like a full bucket.
 * @param options - document client, table and limit
 * @returns the limiter
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { client, tableName, limit } = options;
  const { partitionKey } = contract.table;
  return {
    async take(connectionId, now) {
      const spent = await spendToken(
        client,
        { tableName, key: { [partitionKey]: connectionId }, mustHave: partitionKey },
        limit,
        now,
      );
      if (spent.outcome === 'accepted') return accepted(spent.item);
      return {
        allowed: false,
        retryAfterMs: spent.retryAfterMs,
        ...(spent.outcome === 'overdrawn' && { overdrawn: true as const }),
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
    return { accepted: false, item: error.Item === undefined ? undefined : plainItem(error.Item) };
  }
}

/** The item as it is, for a stand-in that returns no item with a failed condition. */
async function readItem(
  client: DynamoDBDocumentClient,
  bucket: BucketItem,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: bucket.tableName, Key: bucket.key, ConsistentRead: true }),
  );
  return Item;
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

/**
 * The exception's `Item` comes in DynamoDB's wire format (`{ N: "123" }`, `{ SS: [...] }`):
 * numbers, strings and string sets, as plain values.
 */
function plainItem(wire: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(wire)) {
    if (typeof value !== 'object' || value === null) continue;
    if ('N' in value) plain[name] = Number((value as { N: unknown }).N);
    else if ('S' in value) plain[name] = (value as { S: unknown }).S;
    else if ('SS' in value) plain[name] = new Set((value as { SS: string[] }).SS);
  }
  return plain;
}

function numberValue(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
