/**
 * The chat's count of open connections against a real DynamoDB-compatible server: moved by joins
 * and by the delete that actually removed an item, so a `$disconnect` after a 410 clean-up (or two
 * concurrent ones) counts a connection out once.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import type { MembershipDeps } from '../../src/rooms/membership.ts';
import { forgetConnection, joinRoom } from '../../src/rooms/membership.ts';
import { createOpenConnections } from '../../src/rooms/open-connections.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

let dynamoDb: TestDynamoDb;
let membership: MembershipDeps;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
  const client = DynamoDBDocumentClient.from(dynamoDb.client);
  membership = {
    store: createConnectionStore({ client, tableName: dynamoDb.tableName }),
    rooms: createRoomStore({
      client,
      tableName: dynamoDb.roomsTableName,
      historyMaxMessages: 50,
      historyTtlSeconds: 86_400,
    }),
    openConnections: createOpenConnections({ client, tableName: dynamoDb.roomsTableName }),
    now: () => new Date('2026-11-30T06:00:00.000Z'),
  };
});
afterAll(async () => {
  await dynamoDb?.stop();
});

describe('the count of open connections', () => {
  it('counts joins in two rooms, and each connection out exactly once however often it is forgotten', async () => {
    // Prepare: three connections in two rooms
    const joined = [];
    for (const [id, room] of [
      ['a', 'one'],
      ['b', 'one'],
      ['c', 'two'],
    ] as const) {
      joined.push(await joinRoom(membership, id, room, 3));
    }

    // Act: b leaves twice at once (a 410 clean-up and its $disconnect), c leaves once
    const departures = await Promise.all([
      forgetConnection(membership, 'b'),
      forgetConnection(membership, 'b'),
      forgetConnection(membership, 'c'),
    ]);

    // Assess
    expect(joined.map((join) => join.openConnections)).toEqual([1, 2, 3]);
    expect(departures.filter((departure) => departure?.room === 'one')).toHaveLength(1);
    expect(await membership.openConnections.change(0)).toBe(1);
  });
});

describe('a 410 clean-up', () => {
  it('leaves a connection alone that connected moments ago, and forgets an older one', async () => {
    // Prepare: two connections, one whose $connect may still be running
    await joinRoom(membership, 'settled', 'cleanup', 3);
    const joinedAt = membership.now();
    await joinRoom(membership, 'fresh', 'cleanup', 3);
    const before = await membership.openConnections.change(0);

    // Act: a broadcast got 410 for both; only connections from before this instant are gone
    const settledBefore = new Date(joinedAt.getTime() + 1);
    const fresh = await forgetConnection(membership, 'fresh', new Date(joinedAt.getTime() - 1));
    const settled = await forgetConnection(membership, 'settled', settledBefore);

    // Assess
    expect(fresh).toBeUndefined();
    expect(settled?.room).toBe('cleanup');
    expect(await membership.openConnections.change(0)).toBe(before - 1);
  });
});
