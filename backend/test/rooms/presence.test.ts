/**
 * Presence in small rooms (announcePresence): who is told a room's head count, which count (a
 * fresh listing, whatever the stored count says), when the stored count is corrected, and which
 * rooms are too large to be told at all.
 */
import { describe, expect, it } from 'vitest';
import type { FanoutDeps } from '../../src/broadcast/fanout.ts';
import { announcePresence } from '../../src/rooms/presence.ts';
import type { HeadCount } from '../../src/rooms/room-store.ts';
import { NOW, recordingQueue, unpacedPacer } from '../support/mocks.ts';

const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const ids = (count: number): string[] => Array.from({ length: count }, (_, index) => `c${index}=`);

/**
 * A room's members, all of protocol 3 unless listed in `old`, with every listing, version read,
 * correction and post recorded.
 */
function roomOf(members: readonly string[], old: readonly string[] = []) {
  const listings: { readonly room: string; readonly max: number }[] = [];
  const versionReads: (readonly string[])[] = [];
  const corrections: { readonly members: number; readonly membersVersion: number }[] = [];
  const posted: { readonly connectionId: string; readonly frame: unknown }[] = [];
  const queue = recordingQueue();
  const fanout: FanoutDeps = {
    post: async (connectionId, data) => {
      posted.push({ connectionId, frame: JSON.parse(new TextDecoder().decode(data)) });
    },
    concurrency: 4,
    store: {
      remove: async () => undefined,
      // biome-ignore lint/correctness/useYield: presence never reads pages
      async *recipientPages() {
        throw new Error('presence lists the room through listSmallRoom');
      },
    },
    queue,
    shardSize: 3,
    now: () => NOW,
    remainingTimeMs: () => 10_000,
    pacer: unpacedPacer(),
    sleep: async () => {},
    deadLetters: undefined,
    deliveryWindowMs: 60_000,
    random: () => 0.5,
  };
  const deps = {
    store: {
      listSmallRoom: async (room: string, _now: Date, max: number) => {
        listings.push({ room, max });
        return members.length > max ? undefined : [...members];
      },
      protocolVersions: async (connectionIds: readonly string[]) => {
        versionReads.push(connectionIds);
        return new Map(
          connectionIds.filter((id) => !old.includes(id)).map((id) => [id, 3] as const),
        );
      },
    },
    rooms: {
      correctMembers: async (_room: string, count: number, membersVersion: number) => {
        corrections.push({ members: count, membersVersion });
        return true;
      },
    },
    endpoint: ENDPOINT,
    fanout,
  };
  return { deps, listings, versionReads, corrections, posted, queue };
}

const stored = (members: number, membersVersion = 5): HeadCount => ({ members, membersVersion });

describe('announcePresence', () => {
  it('tells every member of a small room its head count, but the one who joined, and counts them', async () => {
    // Prepare
    const room = roomOf(ids(3));

    // Act
    const report = await announcePresence('support', stored(3), { joined: 'c1=' }, room.deps);

    // Assess
    expect(report).toEqual({ count: 3, corrected: false, told: 2 });
    expect(room.listings).toEqual([{ room: 'support', max: 20 }]);
    expect(room.posted.map((post) => post.connectionId).toSorted()).toEqual(['c0=', 'c2=']);
    for (const post of room.posted) {
      expect(post.frame).toEqual({ type: 'presence', room: 'support', count: 3 });
    }
  });

  it('tells everyone left when someone left, and never counts the one who left', async () => {
    // Prepare: the index still shows the member who just left
    const room = roomOf(ids(3));

    // Act
    const report = await announcePresence('lobby', stored(2), { left: 'c2=' }, room.deps);

    // Assess
    expect(report).toMatchObject({ count: 2, told: 2 });
    expect(room.posted.map((post) => post.connectionId).toSorted()).toEqual(['c0=', 'c1=']);
  });

  it('counts the one who joined even when the index does not show it yet', async () => {
    const room = roomOf(ids(2));

    const report = await announcePresence('lobby', stored(3), { joined: 'new=' }, room.deps);

    expect(report).toMatchObject({ count: 3, told: 2 });
  });

  it('still tells a room of 20, the largest that hears every join and leave', async () => {
    // Prepare
    const room = roomOf(ids(20));

    // Act
    const report = await announcePresence('support', stored(20), {}, room.deps);

    // Assess
    expect(report.told).toBe(20);
  });

  it('tells a room of 21 nothing, and reads no versions', async () => {
    // Prepare
    const room = roomOf(ids(21));

    // Act
    const report = await announcePresence('support', stored(21), {}, room.deps);

    // Assess: the stored count stands
    expect(report).toEqual({ count: 21, corrected: false, told: 0 });
    expect(room.versionReads).toEqual([]);
    expect(room.posted).toEqual([]);
  });

  it('tells a small room whose stored count drifted above 20, and corrects the count', async () => {
    // Prepare: 30 stored (lost $disconnects), 4 really there
    const room = roomOf(ids(4));

    // Act
    const report = await announcePresence('support', stored(30, 12), {}, room.deps);

    // Assess: the correction is conditional on the version read before listing
    expect(report).toEqual({ count: 4, corrected: true, told: 4 });
    expect(room.corrections).toEqual([{ members: 4, membersVersion: 12 }]);
    expect(room.posted[0]?.frame).toMatchObject({ count: 4 });
  });

  it('writes no correction when the stored count is right', async () => {
    const room = roomOf(ids(4));

    await announcePresence('support', stored(4), {}, room.deps);

    expect(room.corrections).toEqual([]);
  });

  it('never tells an old client (no protocol version), and reads the versions in one request', async () => {
    // Prepare: c1= is the reference design's page
    const room = roomOf(ids(3), ['c1=']);

    // Act
    const report = await announcePresence('support', stored(3), {}, room.deps);

    // Assess
    expect(report.told).toBe(2);
    expect(room.versionReads).toEqual([ids(3)]);
    expect(room.posted.map((post) => post.connectionId).toSorted()).toEqual(['c0=', 'c2=']);
  });

  it('posts every recipient itself, never handing a presence update to the shard queue', async () => {
    // Prepare: pages of 3, a queue at hand, and 8 members
    const room = roomOf(ids(8));

    // Act
    const report = await announcePresence('support', stored(8), {}, room.deps);

    // Assess
    expect(report.told).toBe(8);
    expect(room.queue.enqueued).toEqual([]);
    expect(room.posted).toHaveLength(8);
  });
});
