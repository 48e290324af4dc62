/**
 * The account's callback budget, shared by every invocation: one item in the rooms table
 * (`room = "#callback-budget"`, slot 0; `#` never occurs in a room name) holding the generic
 * cell rate algorithm's theoretical arrival time, `tat`: the moment up to which the budget is
 * already promised. An invocation leases a chunk of posts with one conditional UpdateItem, which
 * books the next stretch of that timeline (count / rate seconds of it) for itself alone, and then
 * spreads its posts over that stretch. Stretches never overlap, so all invocations together post
 * at most `postsPerSecond`, however many there are.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

/** The budget item's key in the rooms table. */
export const BUDGET_ROOM = '#callback-budget';
const BUDGET_SLOT = 0;

/** A stretch of the budget's timeline booked by one invocation. */
export interface Lease {
  /** Posts it covers. */
  readonly count: number;
  /** Its first post may start at this instant (epoch ms)… */
  readonly startsAt: number;
  /** …and its posts are spread evenly until this one. */
  readonly endsAt: number;
}

/** What a lease request got. */
export type LeaseOutcome =
  | { readonly lease: Lease }
  /** The timeline is booked further ahead than the caller would wait: ask again at `retryAt`. */
  | { readonly retryAt: number };

/** The shared budget. */
export interface CallbackBudget {
  /** The account's posts per second this stack may use (CALLBACK_RATE_LIMIT). */
  readonly postsPerSecond: number;
  /**
   * Books `count` posts.
   * @param count - posts to book (at least 1)
   * @param now - the current time (epoch ms)
   * @param latestEnd - the booking must end by then (how far ahead the caller would wait)
   * @returns the lease, or when to ask again
   * @throws when DynamoDB cannot be reached (the caller paces on its own then)
   */
  lease(count: number, now: number, latestEnd: number): Promise<LeaseOutcome>;
}

/** Options of {@link createCallbackBudget}. */
export interface CallbackBudgetOptions {
  readonly client: DynamoDBDocumentClient;
  /** The rooms table. */
  readonly tableName: string;
  readonly postsPerSecond: number;
}

/** Conditional writes lost to other invocations before a lease request gives up for now. */
const MAX_CONTENDED_WRITES = 4;

/**
 * Builds the shared budget over the rooms table.
 * @param options - the client, the rooms table and the rate
 * @returns the budget
 */
export function createCallbackBudget(options: CallbackBudgetOptions): CallbackBudget {
  const { client, tableName, postsPerSecond } = options;
  const { partitionKey, sortKey } = contract.roomsTable;
  const Key = { [partitionKey]: BUDGET_ROOM, [sortKey]: BUDGET_SLOT };
  // The last `tat` seen: decides which of the two writes below is likely to succeed first.
  let lastSeenTat = 0;

  /** Extends a timeline that is already promised into the future: `tat += span`. */
  const extend = async (span: number, now: number, latestEnd: number): Promise<number> => {
    const result = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET tat = tat + :span',
        ConditionExpression: 'tat BETWEEN :now AND :latestStart',
        ExpressionAttributeValues: { ':span': span, ':now': now, ':latestStart': latestEnd - span },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return Number(result.Attributes?.tat);
  };

  /** Restarts an idle timeline (nothing promised beyond now): `tat = now + span`. */
  const restart = async (span: number, now: number): Promise<number> => {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET tat = :end',
        ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
        ExpressionAttributeValues: { ':end': now + span, ':now': now },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return now + span;
  };

  return {
    postsPerSecond,
    async lease(count, now, latestEnd) {
      const span = (count * 1000) / postsPerSecond;
      let extendFailed = false;
      for (let write = 0; write < MAX_CONTENDED_WRITES; write++) {
        const extending = lastSeenTat >= now;
        try {
          const end = extending ? await extend(span, now, latestEnd) : await restart(span, now);
          lastSeenTat = end;
          return { lease: { count, startsAt: end - span, endsAt: end } };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          const tat = tatOf(error);
          // Booked beyond what the caller would wait: it may book once the timeline is close.
          if (tat !== undefined && tat + span > latestEnd) {
            lastSeenTat = tat;
            return { retryAt: now + (tat + span - latestEnd) };
          }
          if (tat !== undefined) {
            lastSeenTat = tat;
            continue;
          }
          // A server that returns no item with the failure (DynamoDB does; dynalite does not):
          // a failed restart means the timeline runs ahead, a failed extension that it is idle
          // or full. Both failing in a row means full: ask again once a lease's time has passed.
          if (extending && extendFailed) return { retryAt: now + span };
          extendFailed ||= extending;
          lastSeenTat = extending ? 0 : now;
        }
      }
      // Other invocations won every race: ask again very soon.
      return { retryAt: now + 1 };
    },
  };
}

/** The `tat` of the item a failed condition saw (ReturnValuesOnConditionCheckFailure). */
function tatOf(error: ConditionalCheckFailedException): number | undefined {
  const item = error.Item as Record<string, { N?: string } | number | undefined> | undefined;
  const value = item?.tat;
  if (typeof value === 'number') return value;
  const parsed = Number(value?.N);
  return Number.isFinite(parsed) && value !== undefined ? parsed : undefined;
}
