import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/common/progress.ts';
import { parseBenchOptions } from '../../src/options.ts';
import { runRoomsBenchmark } from '../../src/rooms/benchmark.ts';
import { checkRoomsTargets } from '../../src/rooms/report.ts';

describe('runRoomsBenchmark', () => {
  it('measures a message to a small room and full histories on the real bundle, every target met', {
    timeout: 180_000,
  }, async () => {
    // Prepare: 3 members and 27 other connections, one measured message and one measured join
    const options = parseBenchOptions([
      '--rooms-connections=30',
      '--rooms-members=3',
      '--rooms-rounds=1',
    ]);

    // Act
    const result = await runRoomsBenchmark(options, new AbortController().signal, silentProgress);

    // Assess
    expect(result.open).toBe(30);
    for (const round of [result.warmUp, ...result.rounds]) {
      expect(round).toMatchObject({
        posts: 2,
        postsOutsideRoom: 0,
        roomQueries: 1,
        scans: 0,
        itemsRead: 3,
        membersReached: 2,
        crowdFrames: 0,
        logged: { listed: 3, pages: 1, delivered: 2 },
      });
    }
    // Each round a message with a client id (its claim and its commit in one transaction), then
    // one without
    expect(result.rounds.map((round) => round.client)).toEqual(['v3', 'old']);
    const [v3, old] = result.rounds;
    expect(v3?.requests).toMatchObject({ PutItem: 1, TransactWriteItems: 1, Query: 1 });
    expect(old?.requests).not.toHaveProperty('TransactWriteItems');
    expect(v3?.requestWriteUnits).toBeGreaterThan(old?.requestWriteUnits ?? Infinity);
    expect(result.scan).toMatchObject({ itemsRead: 30, found: 3 });
    expect(result.history?.joins).toHaveLength(1);
    for (const join of [result.history?.warmUp, ...(result.history?.joins ?? [])]) {
      expect(join).toMatchObject({
        messages: 50,
        completeInOrder: true,
        partsNumbered: true,
        withinLimit: true,
        fewestFrames: true,
        queries: 1,
        logged: { outcome: 'history', frames: join?.frames, framesDelivered: join?.frames },
      });
    }
    expect(result.invocationErrors).toEqual([]);
    expect(checkRoomsTargets(result).map((check) => check.met)).toEqual([true, true, true]);
  });
});
