import { describe, expect, it } from 'vitest';
import type { FanoutBenchmarkResult } from '../../src/fanout/benchmark.ts';
import type { BroadcastRun } from '../../src/fanout/broadcast-rig.ts';
import { checkFanoutTargets, fanoutTables } from '../../src/fanout/report.ts';
import { broadcastRound as round, broadcastRun as run } from '../support/broadcast-rounds.ts';

const result = (broadcasts: BroadcastRun[]): FanoutBenchmarkResult => ({
  roundTripMs: 20,
  defaultMemoryMb: 1024,
  posters: [
    { path: 'sdk', cpuPerPostMs: 1.2, postsPerRound: 2000 },
    { path: 'signed', cpuPerPostMs: 0.3, postsPerRound: 2000 },
  ],
  broadcasts,
});

describe('checkFanoutTargets', () => {
  it("judges CPU per post, and the default memory's time, losses and timeouts per recipient count", () => {
    // Prepare: 1,000 in time; 10,000 too slow; another memory size is not judged
    const checks = checkFanoutTargets(
      result([
        run(1024, 1000, [round(900), round(1100), round(1000)]),
        run(1024, 10_000, [round(6000, { delivered: 10_000 }), round(5500, { delivered: 10_000 })]),
        run(256, 1000, [round(9000, { delivered: 900, timedOut: 1 })]),
      ]),
    );

    // Assess
    expect(checks.map((check) => [check.description, check.met])).toEqual([
      ["CPU per post on the broadcast's path at most 0.5 ms", true],
      ['fan-out to 1,000 at 1024 MB: nothing lost, nothing twice, no invocation timed out', true],
      ['fan-out to 1,000 at 1024 MB, all delivered within 1,500 ms', true],
      ['fan-out to 10,000 at 1024 MB: nothing lost, nothing twice, no invocation timed out', true],
      ['fan-out to 10,000 at 1024 MB, all delivered within 5,000 ms', false],
    ]);
  });

  it('fails the lossless check on a lost recipient, a duplicate or a timed-out invocation', () => {
    const checks = checkFanoutTargets(
      result([
        run(1024, 1000, [round(900, { delivered: 999 })]),
        run(1024, 2000, [round(900, { delivered: 2000, duplicates: 1 })]),
        run(1024, 3000, [round(900, { delivered: 3000, timedOut: 1 })]),
      ]),
    );

    expect(
      checks
        .filter((check) => check.description.includes('nothing lost'))
        .map((check) => check.met),
    ).toEqual([false, false, false]);
  });
});

describe('fanoutTables', () => {
  it('shows the paths with their ratio to the SDK command, and one row per setting with the default marked', () => {
    const [posters, broadcasts] = fanoutTables(
      result([run(1024, 1000, [round(900)]), run(256, 1000, [round(3000)])]),
    );

    expect(posters?.rows).toEqual([
      ['SDK command (PostToConnectionCommand)', '1.200 ms', '1.00x'],
      ['signed request (broadcasts)', '0.300 ms', '0.25x'],
    ]);
    expect(broadcasts?.rows.map((row) => row[0])).toEqual(['1024 MB (default)', '256 MB']);
  });
});
