/**
 * One item per person (person.ts) in the rooms table, under `room = "#user#…"` or `"#ip#…"`,
 * `slot = 0`: the person's open connections, as a string set of their ids, and the person's token
 * bucket (rate-limiter.ts), with a TTL a little past the last connection's 2-hour limit.
 *
 * A string set, not a counter: a `$disconnect` that never came (API Gateway delivers it
 * best-effort) would leave a counter too high for good and lock its person out, while an id in a
 * set can be checked and pruned (admission.ts) the moment the set is full.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { expiresAtFor } from '../rooms/connection-store.ts';
import type { RateLimit, Spending } from './rate-limiter.ts';
import { RATE_ATTRIBUTE, spendToken } from './rate-limiter.ts';

const { partitionKey, sortKey, ttlAttribute } = contract.roomsTable;
const CONNECTIONS = 'conns';
const CHECKED_AT = 'checkedAt';

/** What claiming a place for a connection came to. */
export type PlaceClaim =
  /** Claimed; `rateTat` is the person's bucket as it stands (undefined: never spent). */
  | { readonly kind: 'claimed'; readonly rateTat: number | undefined }
  /** Every place is taken, by these connections; `checkedAt` is their last check (epoch ms). */
  | {
      readonly kind: 'full';
      readonly connectionIds: readonly string[];
      readonly checkedAt: number | undefined;
    };

/** The people's items. */
export interface People {
  /**
   * Claims one of a person's places for a connection, if fewer than `max` are taken.
   * @param personKey - the person
   * @param connectionId - the new connection (its item is stored already)
   * @param now - the current time (the item lives until a little past this connection's limit)
   * @param max - the most connections the person may have
   * @returns claimed, or full with the connections holding the places
   */
  claimPlace(personKey: string, connectionId: string, now: Date, max: number): Promise<PlaceClaim>;
  /**
   * Gives places up: a connection that left, or ids found gone.
   * @param personKey - the person
   * @param connectionIds - the connections
   * @param checkedAt - when given, records that the person's connections were checked then
   */
  releasePlaces(
    personKey: string,
    connectionIds: readonly string[],
    checkedAt?: Date,
  ): Promise<void>;
  /**
   * Spends a token of the person's bucket.
   * @param personKey - the person
   * @param limit - the person's limit
   * @param now - the current time
   * @returns what the spending came to (never `missing`: the item is created if need be)
   */
  spend(personKey: string, limit: RateLimit, now: Date): Promise<Spending>;
}

/** Options of {@link createPeople}. */
export interface PeopleOptions {
  readonly client: DynamoDBDocumentClient;
  /** The rooms table. */
  readonly tableName: string;
}

/**
 * Builds the DynamoDB-backed people.
 * @param options - the document client and the rooms table
 * @returns the people
 */
export function createPeople(options: PeopleOptions): People {
  const { client, tableName } = options;
  const key = (personKey: string) => ({ [partitionKey]: personKey, [sortKey]: 0 });
  return {
    async claimPlace(personKey, connectionId, now, max) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(personKey),
            UpdateExpression: 'ADD #conns :id SET #exp = :exp',
            ConditionExpression: 'attribute_not_exists(#conns) OR size(#conns) < :max',
            ExpressionAttributeNames: { '#conns': CONNECTIONS, '#exp': ttlAttribute },
            ExpressionAttributeValues: {
              ':id': new Set([connectionId]),
              ':exp': expiresAtFor(now),
              ':max': max,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { kind: 'claimed', rateTat: numberOf(Attributes?.[RATE_ATTRIBUTE]) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // A stand-in (dynalite) returns no item with a failed condition: read it.
        const item =
          error.Item === undefined
            ? (
                await client.send(
                  new GetCommand({
                    TableName: tableName,
                    Key: key(personKey),
                    ConsistentRead: true,
                  }),
                )
              ).Item
            : wireItem(error.Item);
        return {
          kind: 'full',
          connectionIds: [...stringsOf(item?.[CONNECTIONS])],
          checkedAt: numberOf(item?.[CHECKED_AT]),
        };
      }
    },

    async releasePlaces(personKey, connectionIds, checkedAt) {
      if (connectionIds.length === 0 && checkedAt === undefined) return;
      const deletes = connectionIds.length > 0 ? ' DELETE #conns :ids' : '';
      const set = checkedAt !== undefined ? 'SET #checked = :checked' : '';
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(personKey),
            UpdateExpression: `${set}${deletes}`.trim(),
            // Never create an item (it would have no TTL): a person without one has no places.
            ConditionExpression: 'attribute_exists(#room)',
            ExpressionAttributeNames: {
              '#room': partitionKey,
              ...(connectionIds.length > 0 && { '#conns': CONNECTIONS }),
              ...(checkedAt !== undefined && { '#checked': CHECKED_AT }),
            },
            ExpressionAttributeValues: {
              ...(connectionIds.length > 0 && { ':ids': new Set(connectionIds) }),
              ...(checkedAt !== undefined && { ':checked': checkedAt.getTime() }),
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    spend(personKey, limit, now) {
      return spendToken(
        client,
        { tableName, key: key(personKey), expiresAt: expiresAtFor(now) },
        limit,
        now,
      );
    },
  };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringsOf(value: unknown): Iterable<string> {
  if (value instanceof Set) return [...value].filter((id): id is string => typeof id === 'string');
  return [];
}

/** The few attributes of an item in DynamoDB's wire format that the places need. */
function wireItem(wire: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(wire)) {
    if (typeof value !== 'object' || value === null) continue;
    if ('N' in value) item[name] = Number((value as { N: unknown }).N);
    else if ('SS' in value) item[name] = new Set((value as { SS: string[] }).SS);
  }
  return item;
}
