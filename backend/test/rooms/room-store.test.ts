/**
 * A room's snapshot from its items, without a table: the head count, and which kept messages a
 * history holds and in what order. The table itself is tested against dynalite
 * (test/integration/room-store.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../src/rooms/room-store.ts';

const ROOM_ITEM = { room: 'lobby', slot: -1, seq: 7, members: 4 };
const kept = (n: number, slot = n) => ({
  room: 'lobby',
  slot,
  id: `01KB${String(n).padStart(22, '0')}`,
  event: `{"n":${n}}`,
});

describe('snapshotOf', () => {
  it("reads the head count from the room's own item and the messages from the ring, oldest first", () => {
    // Prepare: a ring of 3 that wrapped, so slot order is not time order
    const items = [ROOM_ITEM, kept(6, 0), kept(7, 1), kept(5, 2)];

    // Act
    const snapshot = snapshotOf(items, 3);

    // Assess
    expect(snapshot.members).toBe(4);
    expect(snapshot.messages.map(({ event }) => event)).toEqual(['{"n":5}', '{"n":6}', '{"n":7}']);
    expect(snapshot.messages[0]).toEqual({ id: kept(5).id, event: '{"n":5}' });
  });

  it('keeps only the newest K when a ring left over from a larger K holds more', () => {
    const items = [kept(1), kept(2), kept(3), kept(4)];

    const snapshot = snapshotOf(items, 2);

    expect(snapshot.messages.map(({ event }) => event)).toEqual(['{"n":3}', '{"n":4}']);
  });

  it('counts no members in a room never counted, and never fewer than none', () => {
    expect(snapshotOf([kept(1)], 50).members).toBe(0);
    expect(snapshotOf([{ ...ROOM_ITEM, members: -2 }], 50).members).toBe(0);
    expect(snapshotOf([{ room: 'lobby', slot: -1, seq: 1 }], 50).members).toBe(0);
  });

  it('leaves out an item that is not a whole kept message', () => {
    const items = [
      { room: 'lobby', slot: 0, id: 'x' },
      { room: 'lobby', slot: 1, event: '{}' },
    ];

    expect(snapshotOf(items, 50)).toEqual({ members: 0, messages: [] });
  });
});
