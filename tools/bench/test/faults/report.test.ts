import { describe, expect, it } from 'vitest';
import type {
  FaultName,
  FaultRound,
  FaultRun,
  FaultsBenchmarkResult,
} from '../../src/faults/benchmark.ts';
import { checkFaultsTargets, faultsTables } from '../../src/faults/report.ts';
import { broadcastRound } from '../support/broadcast-rounds.ts';

const round = (lastDeliveryMs: number, overrides: Partial<FaultRound> = {}): FaultRound => ({
  ...broadcastRound(lastDeliveryMs, { delivered: 10_000, metrics: { Retried: 20_000 } }),
  injected: 30_000,
  deadLettered: 0,
  ...overrides,
});

const run = (fault: FaultName, rounds: FaultRound[], recipients = 10_000): FaultRun => ({
  fault,
  recipients,
  rounds,
});

/** A queue that refuses everything: 12,000 reached by the accepting invocation, the rest kept. */
const queueDown = (overrides: Partial<FaultRound> = {}): FaultRound =>
  round(7500, {
    delivered: 12_000,
    deadLettered: 18_000,
    unreachedReported: 18_000,
    injected: 8,
    ...overrides,
  });

const result = (runs: FaultRun[]): FaultsBenchmarkResult => ({
  roundTripMs: 20,
  memoryMb: 1024,
  cpu: '1024 MB at 0.58 vCPU (cgroup v1)',
  outageMs: 8000,
  windowMs: 60_000,
  runs,
});

const goodRuns = (): FaultRun[] => [
  run('outage', [round(16_000), round(24_000), round(17_000)]),
  run('refusedHandOffs', [round(3000, { injected: 24 }), round(3200, { injected: 24 })]),
  run('queueDown', [queueDown(), queueDown()], 30_000),
];

describe('checkFaultsTargets', () => {
  it('meets every fault when every member is reached, or delivered or dead-lettered and told', () => {
    // Act
    const checks = checkFaultsTargets(result(goodRuns()));

    // Assess
    expect(checks.map((check) => [check.description, check.met, check.decides])).toEqual([
      [
        'faults: @connections answers 500 for 8 s: every member reached after it ends, inside the 60,000 ms window',
        true,
        true,
      ],
      ['faults: SQS refuses the first 2 attempts of every entry: every member reached', true, true],
      [
        'faults: SQS refuses every shard: every member delivered or counted in the dead-letter queue, the sender told how many',
        true,
        true,
      ],
    ]);
    expect(checks[0]?.measured).toBe(
      '0 lost, 0 dead-lettered, last delivery at most 24,000 ms, 30,000+ failures injected over 3 broadcasts',
    );
    expect(checks[2]?.measured).toContain(
      '12,000 delivered + 18,000 dead-lettered of 30,000, sender told 18,000',
    );
  });

  it.each<[string, FaultRun]>([
    ['a member lost in the outage', run('outage', [round(20_000, { delivered: 9_999 })])],
    ['a member dead-lettered in the outage', run('outage', [round(20_000, { deadLettered: 1 })])],
    ['a delivery past the window', run('outage', [round(61_000)])],
    ['an outage that never struck', run('outage', [round(900, { injected: 0 })])],
    ['a hand-off that was never refused', run('refusedHandOffs', [round(900, { injected: 0 })])],
    ['a member lost to refused hand-offs', run('refusedHandOffs', [round(900, { delivered: 1 })])],
    [
      'a member neither delivered nor kept',
      run('queueDown', [queueDown({ deadLettered: 17_999 })], 30_000),
    ],
    [
      'a sender told nothing',
      run('queueDown', [queueDown({ unreachedReported: undefined })], 30_000),
    ],
    [
      'a sender told a wrong count',
      run('queueDown', [queueDown({ unreachedReported: 1 })], 30_000),
    ],
    [
      'a room reached without the dead-letter queue',
      run(
        'queueDown',
        [queueDown({ delivered: 30_000, deadLettered: 0, unreachedReported: undefined })],
        30_000,
      ),
    ],
  ])('misses with %s', (_, faulty) => {
    const [check] = checkFaultsTargets(result([faulty]));

    expect(check?.met).toBe(false);
  });
});

describe('faultsTables', () => {
  it('shows one row per fault: where every member ended, what the sender heard, and the time after the outage', () => {
    // Act
    const [table] = faultsTables(result(goodRuns()));

    // Assess
    expect(
      table?.rows.map((row) => [row[0], row[2], row[3], row[4], row[5], row[7], row[8]]),
    ).toEqual([
      [
        '@connections answers 500 for 8 s',
        '10,000/10,000',
        '0',
        '10,000/10,000',
        'no',
        '17,000 ms',
        '9,000 ms',
      ],
      [
        'SQS refuses the first 2 attempts of every entry',
        '10,000/10,000',
        '0',
        '10,000/10,000',
        'no',
        '3,100 ms',
        '-',
      ],
      [
        'SQS refuses every shard',
        '12,000/30,000',
        '18,000',
        '30,000/30,000',
        '18,000',
        '7,500 ms',
        '-',
      ],
    ]);
  });

  it('shows nothing when no fault ran', () => {
    expect(faultsTables(result([]))).toEqual([]);
  });
});
