/**
 * The DynamoDB adapter for connections: one item per open WebSocket connection, keyed by
 * `connectionId`, with its room and a TTL so ids whose `$disconnect` never came disappear on their
 * own. A room's members are read with a Query on the `byRoom` index, never a Scan of the table,
 * so a message to a room of 10 costs one small read however many connections the table holds.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

const { partitionKey, ttlAttribute, roomAttribute, roomIndex, versionAttribute } = contract.table;

/** Who a connection belongs to, stored with it. */
export interface ConnectionOwner {
  /** The person whose places and budget it counts against (access/person.ts). */
  readonly person?: string;
  /** The verified sender, in an auth mode. */
  readonly senderId?: string;
  readonly senderName?: string;
}

/** A connection forgotten: what its item said. */
export interface ForgottenConnection {
  readonly room: string;
  /** The person it counted against, if any. */
  readonly person: string | undefined;
}

/** What the table says of a connection, to tell a live one from one whose $disconnect was lost. */
export interface ConnectionState {
  /** When it connected (epoch ms). */
  readonly connectedAt: number | undefined;
  /** Its TTL (epoch seconds). */
  readonly expiresAt: number | undefined;
}

/** Where connection ids live. */
export interface ConnectionStore {
  /**
   * Records a new connection.
   * @param connectionId - API Gateway's id of the connection
   * @param connectedAt - when it connected
   * @param room - the room it joined
   * @param protocolVersion - the version its URL declared; undefined for an old client
   * @param owner - the person it belongs to and, signed in, its verified sender
   */
  add(
    connectionId: string,
    connectedAt: Date,
    room: string,
    protocolVersion?: number,
    owner?: ConnectionOwner,
  ): Promise<void>;
  /**
   * Forgets a connection; forgetting an unknown id is not an error.
   * @param connectionId - the id to delete
   * @returns the room it was in, or undefined when there was no item
   */
  remove(connectionId: string): Promise<string | undefined>;
  /**
   * Forgets a connection, as {@link ConnectionStore.remove} does.
   * @param connectionId - the id to delete
   * @param connectedBefore - forget it only if it connected before this instant (a 410 clean-up
   *   leaves a connection alone whose `$connect` may still be running: a post to it answers 410
   *   until `$connect` returns)
   * @returns its room and person, or undefined when there was no item (or it was too new)
   */
  forget(connectionId: string, connectedBefore?: Date): Promise<ForgottenConnection | undefined>;
  /**
   * Reads the state of a few connections, in one BatchGetItem of up to 100 keys.
   * @param connectionIds - the connections (at most 100)
   * @returns each connection that has an item, with its state
   */
  states(connectionIds: readonly string[]): Promise<Map<string, ConnectionState>>;
  /**
   * Lists a room's members whose TTL has not passed, one page at a time, so the caller can start
   * sending (or hand pages to other invocations) before the whole room was read.
   * @param now - items with `expiresAt` at or before this instant are skipped
   * @param options - the room, the most items read per page, and where to continue from
   */
  recipientPages(now: Date, options: RecipientPageOptions): AsyncIterable<RecipientPage>;
  /**
   * Lists a small room whole: its live members if there are at most `max`, read `max + 1` at a
   * time, so a large room costs one page.
   * @param room - the room
   * @param now - items with `expiresAt` at or before this instant are skipped
   * @param max - the most members of a room this lists
   * @returns the members' ids, or undefined when the room has more than `max`
   */
  listSmallRoom(room: string, now: Date, max: number): Promise<string[] | undefined>;
  /**
   * Reads the protocol version of a few connections, in one BatchGetItem of up to 100 keys.
   * @param connectionIds - the connections (at most 100)
   * @returns each connection's version; connections without one (old clients) or without an
   *   item are left out
   */
  protocolVersions(connectionIds: readonly string[]): Promise<Map<string, number>>;
}

/** The attribute naming the person a connection counts against. */
const PERSON_ATTRIBUTE = 'person';

/** BatchGetItem's limit on keys per request. */
const MAX_BATCH_KEYS = 100;
/** Rounds of BatchGetItem for keys DynamoDB left unprocessed (throttling), before giving up. */
const BATCH_ROUNDS = 3;

/** How {@link ConnectionStore.recipientPages} reads. */
export interface RecipientPageOptions {
  readonly room: string;
  /** Items read per page (DynamoDB's `Limit`, counted before the TTL filter). */
  readonly pageSize: number;
  /** Continue after this key (a previous page's `next`); from the start when absent. */
  readonly after?: Readonly<Record<string, unknown>>;
}

/** One page of recipients. */
export interface RecipientPage {
  readonly ids: readonly string[];
  /** The key to continue after, or undefined on the last page. */
  readonly next: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link createConnectionStore}. */
export interface ConnectionStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Builds the DynamoDB-backed store.
 * @param options - the document client and the table
 * @returns the store
 */
export function createConnectionStore(options: ConnectionStoreOptions): ConnectionStore {
  const { client, tableName } = options;
  async function* recipientPages(
    now: Date,
    { room, pageSize, after }: RecipientPageOptions,
  ): AsyncIterable<RecipientPage> {
    let exclusiveStartKey = after;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: roomIndex,
          KeyConditionExpression: '#room = :room',
          ProjectionExpression: '#id',
          FilterExpression: '#expiresAt > :now',
          ExpressionAttributeNames: {
            '#room': roomAttribute,
            '#id': partitionKey,
            '#expiresAt': ttlAttribute,
          },
          ExpressionAttributeValues: { ':room': room, ':now': toEpochSeconds(now) },
          ExclusiveStartKey: exclusiveStartKey,
          Limit: pageSize,
        }),
      );
      const ids = (page.Items ?? [])
        .map((item) => item[partitionKey])
        .filter((id): id is string => typeof id === 'string');
      exclusiveStartKey = page.LastEvaluatedKey;
      // A filtered page can be empty and still have more after it: only the key ends the read.
      yield { ids, next: exclusiveStartKey };
    } while (exclusiveStartKey !== undefined);
  }

  /**
   * Reads a few connection items, in one BatchGetItem of up to 100 keys, asking again for the
   * keys DynamoDB leaves unprocessed (throttling) for a few rounds.
   * @returns the items found; a key gone, or still unprocessed after the last round, is missing
   */
  async function batchGet(
    connectionIds: readonly string[],
    projection: string,
    names: Record<string, string>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let keys = connectionIds
      .slice(0, MAX_BATCH_KEYS)
      .map((connectionId) => ({ [partitionKey]: connectionId }));
    for (let round = 0; round < BATCH_ROUNDS && keys.length > 0; round++) {
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ProjectionExpression: projection,
              ExpressionAttributeNames: names,
            },
          },
        }),
      );
      items.push(...(Responses?.[tableName] ?? []));
      keys = (UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
    }
    return items;
  }

  async function forget(
    connectionId: string,
    connectedBefore?: Date,
  ): Promise<ForgottenConnection | undefined> {
    // DeleteItem on a missing key succeeds, which is exactly the idempotence we want.
    let Attributes: Record<string, unknown> | undefined;
    try {
      ({ Attributes } = await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { [partitionKey]: connectionId },
          ReturnValues: 'ALL_OLD',
          // ISO-8601 instants in one format compare as text in time order.
          ...(connectedBefore !== undefined && {
            ConditionExpression: 'attribute_not_exists(#connectedAt) OR #connectedAt < :before',
            ExpressionAttributeNames: { '#connectedAt': 'connectedAt' },
            ExpressionAttributeValues: { ':before': connectedBefore.toISOString() },
          }),
        }),
      ));
    } catch (error) {
      // Too new to be gone: its $connect may still be running.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    const room = Attributes?.[roomAttribute];
    if (typeof room !== 'string') return undefined;
    const person = Attributes?.[PERSON_ATTRIBUTE];
    return { room, person: typeof person === 'string' ? person : undefined };
  }

  return {
    async add(connectionId, connectedAt, room, protocolVersion, owner = {}) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [partitionKey]: connectionId,
            [roomAttribute]: room,
            connectedAt: connectedAt.toISOString(),
            [ttlAttribute]: expiresAtFor(connectedAt),
            ...(protocolVersion !== undefined && { [versionAttribute]: protocolVersion }),
            ...(owner.person !== undefined && { [PERSON_ATTRIBUTE]: owner.person }),
            ...(owner.senderId !== undefined && { senderId: owner.senderId }),
            ...(owner.senderName !== undefined && { senderName: owner.senderName }),
          },
        }),
      );
    },

    async remove(connectionId) {
      return (await forget(connectionId))?.room;
    },

    forget,

    async states(connectionIds) {
      const states = new Map<string, ConnectionState>();
      const names = {
        '#id': partitionKey,
        '#connectedAt': 'connectedAt',
        '#expiresAt': ttlAttribute,
      };
      for (const item of await batchGet(connectionIds, '#id, #connectedAt, #expiresAt', names)) {
        const id = item[partitionKey];
        if (typeof id !== 'string') continue;
        const connectedAt = Date.parse(String(item.connectedAt));
        const expiresAt = item[ttlAttribute];
        states.set(id, {
          connectedAt: Number.isFinite(connectedAt) ? connectedAt : undefined,
          expiresAt: typeof expiresAt === 'number' ? expiresAt : undefined,
        });
      }
      return states;
    },

    recipientPages,

    async listSmallRoom(room, now, max) {
      const members: string[] = [];
      // Pages of max + 1: a room of more than max is known as such after one read; expired
      // items (counted by Limit before the filter) only make a small room take more pages.
      for await (const page of recipientPages(now, { room, pageSize: max + 1 })) {
        members.push(...page.ids);
        if (members.length > max) return undefined;
      }
      return members;
    },

    async protocolVersions(connectionIds) {
      const versions = new Map<string, number>();
      const names = { '#id': partitionKey, '#v': versionAttribute };
      for (const item of await batchGet(connectionIds, '#id, #v', names)) {
        const id = item[partitionKey];
        const version = item[versionAttribute];
        if (typeof id === 'string' && typeof version === 'number') versions.set(id, version);
      }
      return versions;
    },
  };
}

/**
 * The TTL of a connection item: a little past API Gateway's 2-hour connection limit, so
 * DynamoDB removes ids whose `$disconnect` was lost.
 * @param connectedAt - when the connection opened
 * @returns epoch seconds, the unit DynamoDB TTL requires
 */
export function expiresAtFor(connectedAt: Date): number {
  return toEpochSeconds(connectedAt) + contract.limits.connectionTtlSeconds;
}

/**
 * Epoch seconds, the unit DynamoDB TTL attributes use.
 * @param instant - a time
 * @returns whole seconds since 1970
 */
export function toEpochSeconds(instant: Date): number {
  return Math.floor(instant.getTime() / 1000);
}
