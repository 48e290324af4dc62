/**
 * The rooms table against a real DynamoDB-compatible server: the ring of kept messages, serials
 * under concurrent sends, the head count, catch-up after a serial, and what history off really
 * stores.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFrames } from '../../src/rooms/history.ts';
import type { KeptMessage } from '../../src/rooms/room-store.ts';
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

const message = (seq: number): KeptMessage => ({
  id: `id-${String(seq).padStart(4, '0')}`,
  seq,
  event: `{"seq":${seq}}`,
});

/** Takes the room's next serial and commits a message with it, as an old client's send does. */
async function sendTo(
  rooms: ReturnType<typeof storeWith>,
  room: string,
  now: Date,
): Promise<number> {
  const { seq } = await rooms.nextSerial(room, now);
  await rooms.commitMessage(room, message(seq), undefined, now);
  return seq;
}

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
    for (let n = 1; n <= 7; n += 1) await sendTo(rooms, 'ring', at(n));
    const snapshot = await rooms.snapshot('ring', at(10));

    // Assess
    expect(snapshot.messages.map((kept) => kept.id)).toEqual(['id-0005', 'id-0006', 'id-0007']);
    expect(snapshot).toMatchObject({ head: 7, oldest: 5 });
    expect(await itemsOf('ring')).toBe(4);
  });

  it('returns the head count with every serial, and leaves out expired messages', async () => {
    // Prepare
    const rooms = storeWith(50, 60);
    await rooms.countIn('count', T0);
    await rooms.countIn('count', T0);

    // Act
    const serial = await rooms.nextSerial('count', T0);
    await rooms.commitMessage('count', message(serial.seq), undefined, T0);
    const fresh = await rooms.snapshot('count', at(30));
    const later = await rooms.snapshot('count', at(61));

    // Assess
    expect(serial).toEqual({ seq: 1, members: 2, membersVersion: 2 });
    expect(fresh).toEqual({
      members: 2,
      membersVersion: 2,
      head: 1,
      oldest: 1,
      messages: [message(1)],
    });
    expect(later).toMatchObject({ members: 2, head: 1, oldest: 2, messages: [] });
  });

  it('stores no message at all with history off, and still numbers it and reads the head count', async () => {
    // Prepare
    const rooms = storeWith(50, 0);
    await rooms.countIn('off', T0);

    // Act
    const serial = await rooms.nextSerial('off', T0);
    await rooms.commitMessage('off', message(serial.seq), undefined, T0);

    // Assess: the room item alone, with no text
    expect(serial.members).toBe(1);
    expect(await itemsOf('off')).toBe(1);
    expect(await rooms.snapshot('off', T0)).toMatchObject({ head: 1, oldest: 2, messages: [] });
  });

  it('knows no head count for a room never counted', async () => {
    expect((await storeWith(50, 0).nextSerial('never', T0)).members).toBeUndefined();
  });

  it('gives concurrent sends serials that are unique and strictly increasing, with no gap', async () => {
    // Prepare
    const rooms = storeWith(100, 3600);

    // Act: 40 sends at once
    const serials = await Promise.all(Array.from({ length: 40 }, () => sendTo(rooms, 'burst', T0)));

    // Assess: every serial once, and history holds them all in serial order
    expect(serials.toSorted((left, right) => left - right)).toEqual(
      Array.from({ length: 40 }, (_, index) => index + 1),
    );
    const snapshot = await rooms.snapshot('burst', T0);
    expect(snapshot.messages.map(({ seq }) => seq)).toEqual(serials.toSorted((l, r) => l - r));
    expect(snapshot.head).toBe(40);
  });

  it('never lets a message that committed late overwrite a newer one in its slot', async () => {
    // Prepare: a ring of 2; serial 1 is taken, then 2 and 3 commit before it
    const rooms = storeWith(2, 3600);
    const late = await rooms.nextSerial('late', T0);
    await sendTo(rooms, 'late', T0);
    await sendTo(rooms, 'late', T0);

    // Act: serial 1 would go to serial 3's slot
    const commit = rooms.commitMessage('late', message(late.seq), undefined, T0);

    // Assess: refused, so its sender is told to try again; serial 3 is kept
    await expect(commit).rejects.toThrow();
    expect((await rooms.snapshot('late', T0)).messages.map(({ seq }) => seq)).toEqual([2, 3]);
  });

  it('answers a catch-up after a serial with exactly the serials missed, with head and oldest', async () => {
    // Prepare: serials 1 to 6, of which 4 is taken but never committed (its commit failed)
    const rooms = storeWith(50, 3600);
    for (let n = 1; n <= 6; n += 1) {
      const { seq } = await rooms.nextSerial('catch-up', T0);
      if (seq !== 4) await rooms.commitMessage('catch-up', message(seq), undefined, T0);
    }

    // Act: the client saw up to 2
    const snapshot = await rooms.snapshot('catch-up', T0);
    const { frames } = historyFrames('catch-up', snapshot, 2);

    // Assess: 3, 5 and 6; 4 is covered by head, so the client counts it as seen
    const reply = JSON.parse(frames[0] ?? '') as { messages: { seq: number }[] };
    expect(reply.messages.map(({ seq }) => seq)).toEqual([3, 5, 6]);
    expect(reply).toMatchObject({ head: 6, oldest: 1 });
  });
});
