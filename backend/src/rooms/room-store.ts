/**
 * The DynamoDB adapter for rooms: one table, partition key `room`, numeric sort key `slot`.
 *
 * - slot -1 is the room's own item: `seq`, the number of messages the room has had, and
 *   `members`, how many connections it has (counted up on `$connect`, down on `$disconnect`, and
 *   set exactly by every broadcast that read the whole room).
 * - slots 0…K-1 hold the last K messages as a ring (`slot = seq mod K`): keeping a message is one
 *   counter update and one put, never a delete, and a room can never hold more than K messages.
 *
 * Every item carries a TTL. Reads filter expired items themselves, since DynamoDB deletes them
 * only eventually (and the local stand-in never does).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { toEpochSeconds } from './connection-store.ts';

const { partitionKey, sortKey, ttlAttribute } = contract.roomsTable;
/** The slot of the room's own item. */
const ROOM_SLOT = -1;

/** What the store keeps of a message: its id and the event exactly as it was broadcast. */
export interface KeptMessage {
  readonly id: string;
  readonly event: string;
}

/** A room's history and head count. */
export interface RoomSnapshot {
  /** Members as last counted (never negative). */
  readonly members: number;
  /** The kept messages that have not expired, oldest first. */
  readonly messages: readonly KeptMessage[];
}

/** Where rooms live. */
export interface RoomStore {
  /**
   * Counts a connection in or out of a room.
   * @param room - the room
   * @param delta - +1 on `$connect`, -1 on `$disconnect`
   * @param now - the current time (for the TTL)
   * @returns the room's member count afterwards
   */
  changeMembers(room: string, delta: number, now: Date): Promise<number>;
  /**
   * Records an exact member count (a broadcast that read the whole room).
   * @param room - the room
   * @param members - its live connections
   * @param now - the current time (for the TTL)
   */
  setMembers(room: string, members: number, now: Date): Promise<void>;
  /**
   * Keeps a message for the room's history, unless history is off, and reads the room's head
   * count, which the broadcast carries to every member.
   * @param room - the room
   * @param message - the message's id and its serialised event
   * @param now - when it was accepted
   * @returns the room's member count, if the room has been counted
   */
  keepMessage(room: string, message: KeptMessage, now: Date): Promise<number | undefined>;
  /**
   * Reads the room's head count and history in one Query.
   * @param room - the room
   * @param now - items that expired by now are left out
   */
  snapshot(room: string, now: Date): Promise<RoomSnapshot>;
}

/** Options of {@link createRoomStore}. */
export interface RoomStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** K: the most messages a room keeps. */
  readonly historyMaxMessages: number;
  /** How long a kept message lives; 0 keeps no message text at all. */
  readonly historyTtlSeconds: number;
}

/** The room item outlives its last connection a little, so counts survive short gaps. */
const ROOM_ITEM_MIN_TTL_SECONDS = contract.limits.connectionTtlSeconds;

/**
 * Builds the DynamoDB-backed room store.
 * @param options - the document client, the table and the history settings
 * @returns the store
 */
export function createRoomStore(options: RoomStoreOptions): RoomStore {
  return {
    changeMembers: (room, delta, now) => changeMembers(options, room, delta, now),
    setMembers: (room, members, now) => setMembers(options, room, members, now),
    // History off: no text is stored; the head count is still worth a half-unit read.
    keepMessage: (room, message, now) =>
      options.historyTtlSeconds === 0
        ? readMembers(options, room)
        : keepInRing(options, room, message, now),
    snapshot: async (room, now) =>
      snapshotOf(await readRoomItems(options, room, now), options.historyMaxMessages),
  };
}

/**
 * A room's head count and history from its items, as one Query returns them.
 * @param items - the room's unexpired items: its own item (slot -1) and its kept messages
 * @param historyMaxMessages - K: the most messages a room keeps
 * @returns the head count (0 when the room was never counted) and the newest K messages, oldest
 *   first
 */
export function snapshotOf(
  items: readonly Record<string, unknown>[],
  historyMaxMessages: number,
): RoomSnapshot {
  let members = 0;
  const messages: KeptMessage[] = [];
  for (const item of items) {
    if (item[sortKey] === ROOM_SLOT) members = Math.max(0, Number(item.members ?? 0));
    else if (typeof item.id === 'string' && typeof item.event === 'string') {
      messages.push({ id: item.id, event: item.event });
    }
  }
  // Ids sort by time; a ring left over from a larger K may hold more than K.
  messages.sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  return { members, messages: messages.slice(-historyMaxMessages) };
}

async function changeMembers(
  table: RoomStoreOptions,
  room: string,
  delta: number,
  now: Date,
): Promise<number> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: roomKey(room),
      UpdateExpression: 'ADD members :delta SET #expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
      ExpressionAttributeValues: { ':delta': delta, ':expiresAt': roomExpiry(table, now) },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Math.max(0, Number(Attributes?.members ?? 0));
}

async function setMembers(
  table: RoomStoreOptions,
  room: string,
  members: number,
  now: Date,
): Promise<void> {
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: roomKey(room),
      UpdateExpression: 'SET members = :members, #expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
      ExpressionAttributeValues: { ':members': members, ':expiresAt': roomExpiry(table, now) },
    }),
  );
}

async function readMembers(table: RoomStoreOptions, room: string): Promise<number | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: roomKey(room),
      ProjectionExpression: 'members',
    }),
  );
  return membersOf(Item);
}

/** Keeps a message in the next slot of the room's ring; returns the room's head count. */
async function keepInRing(
  table: RoomStoreOptions,
  room: string,
  message: KeptMessage,
  now: Date,
): Promise<number | undefined> {
  const roomItem = await countMessage(table, room, now);
  const seq = Number(roomItem?.seq ?? 1);
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        [partitionKey]: room,
        [sortKey]: (seq - 1) % table.historyMaxMessages,
        id: message.id,
        event: message.event,
        [ttlAttribute]: toEpochSeconds(now) + table.historyTtlSeconds,
      },
    }),
  );
  return membersOf(roomItem);
}

/**
 * Counts one more message in the room's item. The counter decides the slot atomically, so two
 * messages at once never share one.
 * @returns the room's item afterwards
 */
async function countMessage(
  table: RoomStoreOptions,
  room: string,
  now: Date,
): Promise<Record<string, unknown> | undefined> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: roomKey(room),
      UpdateExpression: 'ADD seq :one SET #expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': roomExpiry(table, now) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes;
}

/** Every unexpired item of the room, page after page of one Query. */
async function readRoomItems(
  table: RoomStoreOptions,
  room: string,
  now: Date,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: '#room = :room',
        FilterExpression: '#expiresAt > :now',
        ExpressionAttributeNames: { '#room': partitionKey, '#expiresAt': ttlAttribute },
        ExpressionAttributeValues: { ':room': room, ':now': toEpochSeconds(now) },
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return items;
}

function roomKey(room: string): Record<string, unknown> {
  return { [partitionKey]: room, [sortKey]: ROOM_SLOT };
}

/** The room item's TTL: as long as a kept message lives, and never shorter than a connection. */
function roomExpiry(table: RoomStoreOptions, now: Date): number {
  return toEpochSeconds(now) + Math.max(table.historyTtlSeconds, ROOM_ITEM_MIN_TTL_SECONDS);
}

/** A room item's head count; undefined before the room was ever counted. */
function membersOf(item: Record<string, unknown> | undefined): number | undefined {
  const members = item?.members;
  return typeof members === 'number' ? Math.max(0, members) : undefined;
}
