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
  const { client, tableName, historyMaxMessages, historyTtlSeconds } = options;
  const roomKey = (room: string) => ({ [partitionKey]: room, [sortKey]: ROOM_SLOT });
  const roomExpiry = (now: Date): number =>
    toEpochSeconds(now) + Math.max(historyTtlSeconds, ROOM_ITEM_MIN_TTL_SECONDS);

  return {
    async changeMembers(room, delta, now) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: roomKey(room),
          UpdateExpression: 'ADD members :delta SET #expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
          ExpressionAttributeValues: { ':delta': delta, ':expiresAt': roomExpiry(now) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Math.max(0, Number(Attributes?.members ?? 0));
    },

    async setMembers(room, members, now) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: roomKey(room),
          UpdateExpression: 'SET members = :members, #expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
          ExpressionAttributeValues: { ':members': members, ':expiresAt': roomExpiry(now) },
        }),
      );
    },

    async keepMessage(room, message, now) {
      if (historyTtlSeconds === 0) {
        // No text is stored; the head count is still worth a half-unit read.
        const { Item } = await client.send(
          new GetCommand({
            TableName: tableName,
            Key: roomKey(room),
            ProjectionExpression: 'members',
          }),
        );
        return membersOf(Item);
      }
      // The counter decides the slot atomically, so two messages at once never share one.
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: roomKey(room),
          UpdateExpression: 'ADD seq :one SET #expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
          ExpressionAttributeValues: { ':one': 1, ':expiresAt': roomExpiry(now) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const seq = Number(Attributes?.seq ?? 1);
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [partitionKey]: room,
            [sortKey]: (seq - 1) % historyMaxMessages,
            id: message.id,
            event: message.event,
            [ttlAttribute]: toEpochSeconds(now) + historyTtlSeconds,
          },
        }),
      );
      return membersOf(Attributes);
    },

    async snapshot(room, now) {
      let members = 0;
      const messages: KeptMessage[] = [];
      let exclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#room = :room',
            FilterExpression: '#expiresAt > :now',
            ExpressionAttributeNames: { '#room': partitionKey, '#expiresAt': ttlAttribute },
            ExpressionAttributeValues: { ':room': room, ':now': toEpochSeconds(now) },
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item[sortKey] === ROOM_SLOT) members = Math.max(0, Number(item.members ?? 0));
          else if (typeof item.id === 'string' && typeof item.event === 'string') {
            messages.push({ id: item.id, event: item.event });
          }
        }
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey !== undefined);
      // Ids sort by time; a ring left over from a larger K may hold more than K.
      messages.sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
      return { members, messages: messages.slice(-historyMaxMessages) };
    },
  };
}

/** A room item's head count; undefined before the room was ever counted. */
function membersOf(item: Record<string, unknown> | undefined): number | undefined {
  const members = item?.members;
  return typeof members === 'number' ? Math.max(0, members) : undefined;
}
