/**
 * Head counts against a real DynamoDB-compatible server, with both tables: joins, leaves, 410
 * clean-ups and TTL expiries in any order never count a connection out twice, never go below
 * zero and leave no ghost; a small room's listing corrects the stored count; and a correction
 * loses to a join or leave that raced it.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { ConnectionStore } from '../../src/rooms/connection-store.ts';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import type { MembershipDeps } from '../../src/rooms/membership.ts';
import { forgetConnection, joinRoom } from '../../src/rooms/membership.ts';
import { createOpenConnections } from '../../src/rooms/open-connections.ts';
import { countRoom } from '../../src/rooms/presence.ts';
import type { RoomStore } from '../../src/rooms/room-store.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

const T0 = new Date('2026-11-30T06:00:00.000Z');

let dynamoDb: TestDynamoDb;
let store: ConnectionStore;
let rooms: RoomStore;
let membership: MembershipDeps;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
  const client = DynamoDBDocumentClient.from(dynamoDb.client);
  store = createConnectionStore({ client, tableName: dynamoDb.tableName });
  rooms = createRoomStore({
    client,
    tableName: dynamoDb.roomsTableName,
    historyMaxMessages: 50,
    historyTtlSeconds: 86_400,
  });
  membership = {
    store,
    rooms,
    openConnections: createOpenConnections({ client, tableName: dynamoDb.roomsTableName }),
    now: () => T0,
  };
});
afterAll(async () => {
  await dynamoDb?.stop();
});

const stored = async (room: string) => rooms.snapshot(room, T0);
/** What counting a small room needs: the stores and a clock. */
const counting = () =>
  ({ store, rooms, fanout: { now: () => T0 } }) as unknown as Parameters<typeof countRoom>[3];

describe('head counts', () => {
  it('count a connection out once, whether its 410 clean-up or its $disconnect comes first', async () => {
    // Prepare: five join
    for (const id of ['a', 'b', 'c', 'd', 'e']) await joinRoom(membership, `once-${id}`, 'once', 3);

    // Act: a broadcast finds b and c gone and forgets them; then their $disconnects come, and
    // d's $disconnect comes before a broadcast finds it gone
    await forgetConnection(membership, 'once-b');
    await forgetConnection(membership, 'once-c');
    const lateDisconnects = await Promise.all([
      forgetConnection(membership, 'once-b'),
      forgetConnection(membership, 'once-c'),
    ]);
    await forgetConnection(membership, 'once-d');
    const late410 = await forgetConnection(membership, 'once-d');

    // Assess
    expect(lateDisconnects).toEqual([undefined, undefined]);
    expect(late410).toBeUndefined();
    expect((await stored('once')).members).toBe(2);
  });

  it('never go below zero, and the leave still moves the version', async () => {
    // Prepare: one member, whose count a correction already set to 0
    await joinRoom(membership, 'zero-a', 'zero', 3);
    const before = await stored('zero');
    await rooms.correctMembers('zero', 0, before.membersVersion, T0);

    // Act
    const departure = await forgetConnection(membership, 'zero-a');

    // Assess
    expect(departure?.headCount).toEqual({ members: 0, membersVersion: before.membersVersion + 1 });
    expect((await stored('zero')).members).toBe(0);
  });

  it('end equal to the connections left, with no ghost, after joins and leaves in any order', async () => {
    // Prepare: 30 members; then, all at once, 10 more join, 10 leave by $disconnect, and 5 of
    // those are also cleaned up by a broadcast's 410 at the same moment
    const ids = Array.from({ length: 30 }, (_, index) => `churn-${index}`);
    await Promise.all(ids.map((id) => joinRoom(membership, id, 'churn', undefined)));
    const leaving = ids.slice(0, 10);

    // Act
    await Promise.all([
      ...Array.from({ length: 10 }, (_, index) =>
        joinRoom(membership, `churn-new-${index}`, 'churn', 3),
      ),
      ...leaving.map((id) => forgetConnection(membership, id)),
      ...leaving.slice(0, 5).map((id) => forgetConnection(membership, id)),
    ]);

    // Assess
    const live = await store.listSmallRoom('churn', T0, 1000);
    expect(live).toHaveLength(30);
    expect((await stored('churn')).members).toBe(30);
  });

  it('in a small room, are set right by the next listing after a TTL expiry nobody counted out', async () => {
    // Prepare: three members, one of whose items expired without a $disconnect
    const expiredAt = new Date(T0.getTime() - (contract.limits.connectionTtlSeconds + 60) * 1000);
    await joinRoom({ ...membership, now: () => expiredAt }, 'ttl-old', 'ttl', 3);
    await joinRoom(membership, 'ttl-a', 'ttl', 3);
    await joinRoom(membership, 'ttl-b', 'ttl', 3);
    const before = await stored('ttl');

    // Act: someone joins and the room is listed
    const counted = await countRoom('ttl', before, { joined: 'ttl-b' }, counting());

    // Assess
    expect(before.members).toBe(3);
    expect(counted).toMatchObject({ count: 2, corrected: true });
    expect((await stored('ttl')).members).toBe(2);
  });

  it('in a small room counted far above 20, still list the room and correct it', async () => {
    // Prepare: 25 counted in, 22 of whose items went without any count-out
    for (let index = 0; index < 25; index++) await rooms.countIn('drift', T0);
    await joinRoom(membership, 'drift-a', 'drift', 3);
    await joinRoom(membership, 'drift-b', 'drift', 3);
    await joinRoom(membership, 'drift-c', 'drift', 3);
    const before = await stored('drift');

    // Act
    const counted = await countRoom('drift', before, {}, counting());

    // Assess
    expect(before.members).toBe(28);
    expect(counted).toMatchObject({ count: 3, corrected: true });
    expect((await stored('drift')).members).toBe(3);
  });

  it('are not corrected by a listing that a join raced: the join wins', async () => {
    // Prepare: two members; a reader reads the version, then lists the room
    await joinRoom(membership, 'race-a', 'race', 3);
    await joinRoom(membership, 'race-b', 'race', 3);
    const read = await stored('race');
    const listed = await store.listSmallRoom('race', T0, 20);

    // Act: a third joins before the reader writes its correction (a wrong one, from its listing)
    await joinRoom(membership, 'race-c', 'race', 3);
    const corrected = await rooms.correctMembers(
      'race',
      (listed?.length ?? 0) - 1,
      read.membersVersion,
      T0,
    );

    // Assess
    expect(corrected).toBe(false);
    expect((await stored('race')).members).toBe(3);
  });

  it('are not corrected by a listing that a leave raced either', async () => {
    // Prepare
    await joinRoom(membership, 'leave-a', 'leave', 3);
    await joinRoom(membership, 'leave-b', 'leave', 3);
    const read = await stored('leave');
    const listed = await store.listSmallRoom('leave', T0, 20);

    // Act: b leaves before the reader, who listed it, writes 2
    await forgetConnection(membership, 'leave-b');
    const corrected = await rooms.correctMembers(
      'leave',
      listed?.length ?? 0,
      read.membersVersion,
      T0,
    );

    // Assess: no ghost
    expect(corrected).toBe(false);
    expect((await stored('leave')).members).toBe(1);
  });
});
