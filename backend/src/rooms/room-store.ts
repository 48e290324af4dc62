/**
 * The DynamoDB adapter for rooms: one table, partition key `room`, numeric sort key `slot`.
 *
 * - slot -1 is the room's own item: `seq`, the room's serial (the number of messages it has
 *   accepted, 1, 2, 3…), and the head count `members` with `membersVersion`, which every join and
 *   leave moves, so that a correction of the count can be made conditional on no join or leave
 *   having raced it.
 * - slots 0…K-1 hold the last K messages as a ring (message n in slot (n - 1) mod K): keeping a
 *   message is one serial update and one put, never a delete, and a room can never hold more than
 *   K messages.
 * - Partitions `<room>#msg#<clientId>` hold the idempotency records (message-claims.ts); a
 *   message with a client id is kept and recorded in one transaction.
 *
 * Head counts: a connection is counted in at `$connect` and out exactly once, by whoever's delete
 * removed its item (connection-store.ts, membership.ts); never below zero. A reader that listed
 * the whole room corrects the stored count, but only if `membersVersion` is still what it read
 * before listing.
 *
 * Every item carries a TTL. Reads filter expired items themselves, since DynamoDB deletes them
 * only eventually (and the local stand-in never does).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { toEpochSeconds } from './connection-store.ts';
import type { Claim } from './message-claims.ts';
import { commitClaimUpdate } from './message-claims.ts';

const { partitionKey, sortKey, ttlAttribute } = contract.roomsTable;
/** The slot of the room's own item. */
const ROOM_SLOT = -1;

/** What the store keeps of a message: its id, its serial and the event exactly as broadcast. */
export interface KeptMessage {
  readonly id: string;
  readonly seq: number;
  readonly event: string;
}

/** A room's head count, and the version of it a conditional correction compares. */
export interface HeadCount {
  /** Members as counted (never negative). */
  readonly members: number;
  /** Moves with every join and leave. */
  readonly membersVersion: number;
}

/** What a message's serial write returns. */
export interface RoomSerial {
  /** The message's serial. */
  readonly seq: number;
  /** The room's head count, if the room has been counted. */
  readonly members: number | undefined;
  readonly membersVersion: number;
}

/** A room's history and head count. */
export interface RoomSnapshot extends HeadCount {
  /** The room's serial when read: every serial up to it was accepted, or never will be. */
  readonly head: number;
  /** The smallest serial still kept; head + 1 when none is. */
  readonly oldest: number;
  /** The kept messages that have not expired, oldest first. */
  readonly messages: readonly KeptMessage[];
}

/** Where rooms live. */
export interface RoomStore {
  /**
   * Counts a new connection in.
   * @param room - its room
   * @param now - the current time (for the TTL)
   * @returns the room's head count afterwards
   */
  countIn(room: string, now: Date): Promise<HeadCount>;
  /**
   * Counts a connection out: only the caller whose delete removed the connection's item may.
   * @param room - its room
   * @param now - the current time (for the TTL)
   * @returns the room's head count afterwards (0 if it was 0 already: never below)
   */
  countOut(room: string, now: Date): Promise<HeadCount>;
  /**
   * Sets the head count to an exact listing of the room, unless a join or leave raced it.
   * @param room - the room
   * @param members - the live connections listed
   * @param membersVersion - the version read before listing
   * @param now - the current time (for the TTL)
   * @returns whether the count was set
   */
  correctMembers(
    room: string,
    members: number,
    membersVersion: number,
    now: Date,
  ): Promise<boolean>;
  /**
   * Gives a message the room's next serial, and reads the head count it will carry.
   * @param room - the room
   * @param now - when it was accepted
   */
  nextSerial(room: string, now: Date): Promise<RoomSerial>;
  /**
   * Keeps a message in its slot (unless history is off) and, with a claim, records it for its
   * client id, in one transaction: both or neither.
   * @param room - the room
   * @param message - its id, serial and serialised event
   * @param claim - the claim of its client id, if it had one
   * @param now - when it was accepted
   * @throws when the commit failed: nothing was written
   */
  commitMessage(
    room: string,
    message: KeptMessage,
    claim: Claim | undefined,
    now: Date,
  ): Promise<void>;
  /**
   * Reads the room's head count, serial and history in one Query.
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
    countIn: (room, now) => countIn(options, room, now),
    countOut: (room, now) => countOut(options, room, now),
    correctMembers: (room, members, version, now) =>
      correctMembers(options, room, members, version, now),
    nextSerial: (room, now) => nextSerial(options, room, now),
    commitMessage: (room, message, claim, now) => commitMessage(options, room, message, claim, now),
    snapshot: async (room, now) =>
      snapshotOf(await readRoomItems(options, room, now), options.historyMaxMessages),
  };
}

/**
 * A room's head count, serial and history from its items, as one Query returns them.
 * @param items - the room's unexpired items: its own item (slot -1) and its kept messages
 * @param historyMaxMessages - K: the most messages a room keeps
 * @returns the head count (0 when the room was never counted), the serial, and the newest K
 *   messages, oldest first
 */
export function snapshotOf(
  items: readonly Record<string, unknown>[],
  historyMaxMessages: number,
): RoomSnapshot {
  let roomItem: Record<string, unknown> | undefined;
  const messages: KeptMessage[] = [];
  const unnumbered: { readonly id: string; readonly event: string }[] = [];
  for (const item of items) {
    if (item[sortKey] === ROOM_SLOT) roomItem = item;
    else if (typeof item.id === 'string' && typeof item.event === 'string') {
      if (typeof item.seq === 'number')
        messages.push({ id: item.id, seq: item.seq, event: item.event });
      else unnumbered.push({ id: item.id, event: item.event });
    }
  }
  messages.sort((left, right) => left.seq - right.seq);
  const head = Math.max(numberOf(roomItem?.seq), messages.at(-1)?.seq ?? 0);
  messages.unshift(...numberKeptBeforeSerials(unnumbered, messages[0]?.seq ?? head + 1));
  // A ring left over from a larger K may hold more than K.
  const newest = messages.slice(-historyMaxMessages);
  return {
    members: Math.max(0, numberOf(roomItem?.members)),
    membersVersion: numberOf(roomItem?.membersVersion),
    head,
    oldest: newest[0]?.seq ?? head + 1,
    messages: newest,
  };
}

/**
 * Messages kept before rooms had serials carry none. They are the newest messages of that time,
 * so they take the serials just below the oldest numbered one, in the order of their ids (which
 * sort by time), and their events get the serial too.
 */
function numberKeptBeforeSerials(
  unnumbered: readonly { readonly id: string; readonly event: string }[],
  firstNumbered: number,
): KeptMessage[] {
  const ordered = unnumbered.toSorted((left, right) =>
    left.id < right.id ? -1 : left.id > right.id ? 1 : 0,
  );
  const start = firstNumbered - ordered.length;
  return ordered.flatMap(({ id, event }, index) => {
    const seq = start + index;
    if (seq < 1) return [];
    try {
      const { type, id: eventId, ...rest } = JSON.parse(event) as Record<string, unknown>;
      return [{ id, seq, event: JSON.stringify({ type, id: eventId, seq, ...rest }) }];
    } catch {
      return [];
    }
  });
}

async function countIn(table: RoomStoreOptions, room: string, now: Date): Promise<HeadCount> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: roomKey(room),
      UpdateExpression: 'ADD members :one, membersVersion :one SET #expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': roomExpiry(table, now) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return headCountOf(Attributes);
}

async function countOut(table: RoomStoreOptions, room: string, now: Date): Promise<HeadCount> {
  const common = {
    TableName: table.tableName,
    Key: roomKey(room),
    ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
    ReturnValues: 'ALL_NEW' as const,
  };
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        ...common,
        UpdateExpression: 'ADD members :minusOne, membersVersion :one SET #expiresAt = :expiresAt',
        ConditionExpression: 'members > :zero',
        ExpressionAttributeValues: {
          ':minusOne': -1,
          ':one': 1,
          ':zero': 0,
          ':expiresAt': roomExpiry(table, now),
        },
      }),
    );
    return headCountOf(Attributes);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  // Already 0 (a correction got there first): the count stays, but the leave still moves the
  // version, so a correction that listed the room before this leave cannot land after it.
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      ...common,
      UpdateExpression: 'ADD membersVersion :one SET #expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': roomExpiry(table, now) },
    }),
  );
  return headCountOf(Attributes);
}

async function correctMembers(
  table: RoomStoreOptions,
  room: string,
  members: number,
  membersVersion: number,
  now: Date,
): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: roomKey(room),
        UpdateExpression: 'SET members = :members, #expiresAt = :expiresAt',
        // A room item from before versions has none: version 0.
        ConditionExpression:
          'membersVersion = :version OR (attribute_not_exists(membersVersion) AND :version = :zero)',
        ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
        ExpressionAttributeValues: {
          ':members': Math.max(0, members),
          ':version': membersVersion,
          ':zero': 0,
          ':expiresAt': roomExpiry(table, now),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Counts one more message in the room's item. The counter decides the serial (and the slot)
 * atomically, so two messages at once never share one.
 */
async function nextSerial(table: RoomStoreOptions, room: string, now: Date): Promise<RoomSerial> {
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
  const seq = Attributes?.seq;
  // ADD always returns the counter; without it no serial can be trusted.
  if (typeof seq !== 'number') throw new Error('The serial write returned no serial');
  const members = Attributes?.members;
  return {
    seq,
    members: typeof members === 'number' ? Math.max(0, members) : undefined,
    membersVersion: numberOf(Attributes?.membersVersion),
  };
}

async function commitMessage(
  table: RoomStoreOptions,
  room: string,
  message: KeptMessage,
  claim: Claim | undefined,
  now: Date,
): Promise<void> {
  const recordClaim =
    claim === undefined
      ? undefined
      : commitClaimUpdate(table.tableName, claim, { id: message.id, seq: message.seq }, now);
  // History off: no text is stored; only the client id's record, if any.
  if (table.historyTtlSeconds === 0) {
    if (recordClaim !== undefined) await table.client.send(new UpdateCommand(recordClaim));
    return;
  }
  const keep = ringPut(table, room, message, now);
  if (recordClaim === undefined) {
    await table.client.send(new PutCommand(keep));
    return;
  }
  await table.client.send(
    new TransactWriteCommand({ TransactItems: [{ Put: keep }, { Update: recordClaim }] }),
  );
}

/**
 * The put of a message into its slot. It never replaces a newer message: one that took K serials
 * longer to commit than the messages after it loses its commit instead (its sender retries).
 */
function ringPut(table: RoomStoreOptions, room: string, message: KeptMessage, now: Date) {
  return {
    TableName: table.tableName,
    Item: {
      [partitionKey]: room,
      [sortKey]: (message.seq - 1) % table.historyMaxMessages,
      id: message.id,
      seq: message.seq,
      event: message.event,
      [ttlAttribute]: toEpochSeconds(now) + table.historyTtlSeconds,
    },
    ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
    ExpressionAttributeValues: { ':seq': message.seq },
  };
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

function headCountOf(item: Record<string, unknown> | undefined): HeadCount {
  return {
    members: Math.max(0, numberOf(item?.members)),
    membersVersion: numberOf(item?.membersVersion),
  };
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
