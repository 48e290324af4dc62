/**
 * Presence in small rooms (announcePresence): who is told a room's new head count, and which
 * rooms are too large to be told at all.
 */
import { describe, expect, it } from 'vitest';
import type { FanoutDeps } from '../../src/broadcast/fanout.ts';
import type { RecipientPage, RecipientPageOptions } from '../../src/rooms/connection-store.ts';
import { announcePresence } from '../../src/rooms/presence.ts';
import { NOW, recordingQueue, unpacedPacer } from '../support/mocks.ts';

const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const ids = (count: number): string[] => Array.from({ length: count }, (_, index) => `c${index}=`);

/** A room's members, read `pageSize` at a time, with every read and every post recorded. */
function roomOf(members: readonly string[]) {
  const reads: RecipientPageOptions[] = [];
  const posted: { readonly connectionId: string; readonly frame: unknown }[] = [];
  const queue = recordingQueue();
  const deps: FanoutDeps = {
    post: async (connectionId, data) => {
      posted.push({ connectionId, frame: JSON.parse(new TextDecoder().decode(data)) });
    },
    concurrency: 4,
    store: {
      remove: async () => undefined,
      async *recipientPages(_now: Date, options: RecipientPageOptions) {
        reads.push(options);
        let start = typeof options.after?.index === 'number' ? options.after.index : 0;
        while (true) {
          const end = Math.min(members.length, start + options.pageSize);
          const page: RecipientPage = {
            ids: members.slice(start, end),
            next: end < members.length ? { index: end } : undefined,
          };
          yield page;
          if (page.next === undefined) return;
          start = end;
        }
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
  return { deps, reads, posted, queue };
}

describe('announcePresence', () => {
  it('tells every member of a small room its head count, but the one left out, and counts them', async () => {
    // Prepare
    const room = roomOf(ids(3));

    // Act
    const told = await announcePresence('support', 3, 'c1=', ENDPOINT, room.deps);

    // Assess
    expect(told).toBe(2);
    expect(room.reads.map((read) => read.room)).toEqual(['support']);
    expect(room.posted.map((post) => post.connectionId).toSorted()).toEqual(['c0=', 'c2=']);
    for (const post of room.posted) {
      expect(post.frame).toEqual({ type: 'presence', room: 'support', count: 3 });
    }
  });

  it('tells everyone when no one is left out', async () => {
    // Prepare
    const room = roomOf(ids(2));

    // Act
    const told = await announcePresence('lobby', 2, undefined, ENDPOINT, room.deps);

    // Assess
    expect(told).toBe(2);
    expect(room.posted.map((post) => post.connectionId).toSorted()).toEqual(['c0=', 'c1=']);
  });

  it('still tells a room of 20, the largest that hears every join and leave', async () => {
    // Prepare
    const room = roomOf(ids(20));

    // Act
    const told = await announcePresence('support', 20, undefined, ENDPOINT, room.deps);

    // Assess
    expect(told).toBe(20);
  });

  it('tells a room of 21 nothing, and reads none of it', async () => {
    // Prepare
    const room = roomOf(ids(21));

    // Act
    const told = await announcePresence('support', 21, undefined, ENDPOINT, room.deps);

    // Assess
    expect(told).toBe(0);
    expect(room.reads).toEqual([]);
    expect(room.posted).toEqual([]);
  });

  it('posts every page itself, never handing a presence update to the shard queue', async () => {
    // Prepare: pages of 3, a queue at hand, and 8 members
    const room = roomOf(ids(8));

    // Act
    const told = await announcePresence('support', 8, undefined, ENDPOINT, room.deps);

    // Assess
    expect(told).toBe(8);
    expect(room.queue.enqueued).toEqual([]);
    expect(room.posted).toHaveLength(8);
  });
});
