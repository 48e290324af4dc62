/**
 * The rooms table against a real DynamoDB-compatible server: the ring of kept messages, the head
 * count and what history off really stores.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

const T0 = new Date('2026-11-30T06:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

let dynamoDb: TestDynamoDb;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
});
afterAll(async () => {
  await dynamoDb?.stop();
});

function storeWith(historyMaxMessages: number, historyTtlSeconds: number) {
  return createRoomStore({
    client: DynamoDBDocumentClient.from(dynamoDb.client),
    tableName: dynamoDb.roomsTableName,
    historyMaxMessages,
    historyTtlSeconds,
  });
}

const message = (n: number) => ({ id: `id-${n}`, event: `{"n":${n}}` });

async function itemsOf(room: string): Promise<number> {
  const { Items = [] } = await dynamoDb.client.send(
    new ScanCommand({ TableName: dynamoDb.roomsTableName }),
  );
  return Items.filter((item) => item.room?.S === room).length;
}

describe('the room store', () => {
  it('keeps the last K messages in order, in K items plus the room item, however many came', async () => {
    // Prepare
    const rooms = storeWith(3, 3600);

    // Act
    for (let n = 1; n <= 7; n += 1) await rooms.keepMessage('ring', message(n), at(n));
    const snapshot = await rooms.snapshot('ring', at(10));

    // Assess
    expect(snapshot.messages.map((kept) => kept.id)).toEqual(['id-5', 'id-6', 'id-7']);
    expect(await itemsOf('ring')).toBe(4);
  });

  it('returns the head count with every kept message, and leaves out expired messages', async () => {
    // Prepare
    const rooms = storeWith(50, 60);
    await rooms.changeMembers('count', 1, T0);
    await rooms.changeMembers('count', 1, T0);

    // Act
    const members = await rooms.keepMessage('count', message(1), T0);
    const fresh = await rooms.snapshot('count', at(30));
    const later = await rooms.snapshot('count', at(61));

    // Assess
    expect(members).toBe(2);
    expect(fresh).toEqual({ members: 2, messages: [message(1)] });
    expect(later).toEqual({ members: 2, messages: [] });
  });

  it('stores no message at all with history off, and still reads the head count', async () => {
    // Prepare
    const rooms = storeWith(50, 0);
    await rooms.changeMembers('off', 1, T0);

    // Act
    const members = await rooms.keepMessage('off', message(1), T0);

    // Assess: the room item alone, with no text
    expect(members).toBe(1);
    expect(await itemsOf('off')).toBe(1);
    expect((await rooms.snapshot('off', T0)).messages).toEqual([]);
  });

  it('knows no head count for a room never counted', async () => {
    expect(await storeWith(50, 0).keepMessage('never', message(1), T0)).toBeUndefined();
  });
});
