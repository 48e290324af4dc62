/**
 * A room's snapshot from its items, without a table: the head count and its version, the serial,
 * and which kept messages a history holds and in what order. The table itself is tested against
 * dynalite (test/integration/room-store.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../src/rooms/room-store.ts';

const ROOM_ITEM = { room: 'lobby', slot: -1, seq: 7, members: 4, membersVersion: 9 };
const kept = (n: number, slot = n) => ({
  room: 'lobby',
  slot,
  id: `01KB${String(n).padStart(22, '0')}`,
  seq: n,
  event: `{"n":${n}}`,
});
/** A message kept before rooms had serials: no `seq`, and an event without one. */
const keptBeforeSerials = (n: number, slot = n) => {
  const { seq: _seq, ...item } = kept(n, slot);
  return { ...item, event: `{"type":"message","id":"${item.id}","n":${n}}` };
};

describe('snapshotOf', () => {
  it("reads the head count from the room's own item and the messages from the ring, oldest first", () => {
    // Prepare: a ring of 3 that wrapped, so slot order is not serial order
    const items = [ROOM_ITEM, kept(6, 2), kept(7, 0), kept(5, 1)];

    // Act
    const snapshot = snapshotOf(items, 3);

    // Assess
    expect(snapshot.members).toBe(4);
    expect(snapshot.membersVersion).toBe(9);
    expect(snapshot.messages.map(({ event }) => event)).toEqual(['{"n":5}', '{"n":6}', '{"n":7}']);
    expect(snapshot.messages[0]).toEqual({ id: kept(5).id, seq: 5, event: '{"n":5}' });
  });

  it('says the serial and the oldest serial kept, even with a hole left by a failed commit', () => {
    // Prepare: serial 6 was taken by a message whose commit failed
    const items = [ROOM_ITEM, kept(4), kept(5), kept(7)];

    // Act
    const snapshot = snapshotOf(items, 50);

    // Assess
    expect(snapshot).toMatchObject({ head: 7, oldest: 4 });
    expect(snapshot.messages.map(({ seq }) => seq)).toEqual([4, 5, 7]);
  });

  it('says oldest = head + 1 when nothing is kept (history off, or all expired)', () => {
    expect(snapshotOf([ROOM_ITEM], 50)).toMatchObject({ head: 7, oldest: 8, messages: [] });
    expect(snapshotOf([], 50)).toMatchObject({ head: 0, oldest: 1, messages: [] });
  });

  it('keeps only the newest K when a ring left over from a larger K holds more', () => {
    const items = [kept(1), kept(2), kept(3), kept(4)];

    const snapshot = snapshotOf(items, 2);

    expect(snapshot.messages.map(({ event }) => event)).toEqual(['{"n":3}', '{"n":4}']);
    expect(snapshot.oldest).toBe(3);
  });

  it('gives messages kept before serials the serials just below the first numbered one', () => {
    // Prepare: two messages from before the upgrade, in slots that say nothing of their order
    const items = [
      { ...ROOM_ITEM, seq: 12 },
      keptBeforeSerials(9, 1),
      keptBeforeSerials(8, 0),
      kept(11),
      kept(12),
    ];

    // Act
    const snapshot = snapshotOf(items, 50);

    // Assess: their events carry the serial too
    expect(snapshot.messages.map(({ seq }) => seq)).toEqual([9, 10, 11, 12]);
    expect(JSON.parse(snapshot.messages[0]?.event ?? '')).toEqual({
      type: 'message',
      id: kept(8).id,
      seq: 9,
      n: 8,
    });
    expect(snapshot.oldest).toBe(9);
  });

  it('numbers a history kept wholly before serials up to the head', () => {
    const items = [ROOM_ITEM, keptBeforeSerials(2), keptBeforeSerials(1)];

    const snapshot = snapshotOf(items, 50);

    expect(snapshot.messages.map(({ id, seq }) => [id, seq])).toEqual([
      [kept(1).id, 6],
      [kept(2).id, 7],
    ]);
  });

  it('counts no members in a room never counted, and never fewer than none', () => {
    expect(snapshotOf([kept(1)], 50).members).toBe(0);
    expect(snapshotOf([{ ...ROOM_ITEM, members: -2 }], 50).members).toBe(0);
    expect(snapshotOf([{ room: 'lobby', slot: -1, seq: 1 }], 50).members).toBe(0);
    expect(snapshotOf([{ room: 'lobby', slot: -1, seq: 1 }], 50).membersVersion).toBe(0);
  });

  it('leaves out an item that is not a whole kept message', () => {
    const items = [
      { room: 'lobby', slot: 0, id: 'x' },
      { room: 'lobby', slot: 1, event: '{}' },
    ];

    expect(snapshotOf(items, 50)).toMatchObject({ members: 0, messages: [] });
  });
});
