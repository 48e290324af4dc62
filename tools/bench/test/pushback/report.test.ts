import { describe, expect, it } from 'vitest';
import type { BroadcastRound } from '../../src/fanout/broadcast-rig.ts';
import type { PushbackBenchmarkResult, ThrottledRun } from '../../src/pushback/benchmark.ts';
import { checkPushbackTargets, pushbackTables } from '../../src/pushback/report.ts';
import { broadcastRound, broadcastRun } from '../support/broadcast-rounds.ts';

const round = (lastDeliveryMs: number, overrides: Partial<BroadcastRound> = {}): BroadcastRound =>
  broadcastRound(lastDeliveryMs, { delivered: 10_000, cpuPerPostMs: 0.34, ...overrides });

const run = (budget: number, rounds: BroadcastRound[], accountThrottle = true): ThrottledRun => ({
  ...broadcastRun(1024, 10_000, rounds),
  budget,
  accountThrottle,
});

const result = (runs: ThrottledRun[]): PushbackBenchmarkResult => ({ roundTripMs: 20, runs });

/** Budgets of 1,000 and 500 a second, and the reference run, all as they should be. */
const goodRuns = (): ThrottledRun[] => [
  run(1000, [round(10_600), round(10_400), round(10_500)]),
  run(500, [round(20_900), round(20_700), round(20_800)]),
  run(5000, [round(2200), round(2300), round(2250)], false),
];

describe('checkPushbackTargets', () => {
  it('judges every run exactly once, each throttled run against 1.15x its floor, and the projection', () => {
    // Act
    const checks = checkPushbackTargets(result(goodRuns()), 50);

    // Assess
    expect(checks.map((check) => [check.description, check.met, check.decides])).toEqual([
      [
        'pushback: 10,000 against 1,000/s: every member exactly once, no invocation timed out',
        true,
        true,
      ],
      [
        'pushback: 10,000 against 1,000/s: last delivery within 1.15x the floor (11,500 ms)',
        true,
        true,
      ],
      [
        'pushback: 10,000 against 500/s: every member exactly once, no invocation timed out',
        true,
        true,
      ],
      [
        'pushback: 10,000 against 500/s: last delivery within 1.15x the floor (23,000 ms)',
        true,
        true,
      ],
      [
        'pushback: 10,000 against 5,000/s, function only: every member exactly once, no invocation timed out',
        true,
        true,
      ],
      [
        'pushback: 100,000 members within 12,000 ms (projected) at the default settings',
        false,
        undefined,
      ],
      [
        'pushback: 100,000 members within 12,000 ms (projected) at the defaults or a setting named here',
        true,
        true,
      ],
    ]);
    expect(checks[1]?.measured).toBe('10,500 ms (median), 1.1x the floor');
    expect(checks[5]?.measured).toBe('20,800 ms, bound by the budget');
    expect(checks[6]?.measured).toMatch(/^callback_rate_limit 10,000, /);
  });

  it('misses a throttled run that lost, repeated, timed out or took too long', () => {
    const missed = (rounds: BroadcastRound[]) =>
      checkPushbackTargets(result([run(1000, rounds)]), 50)
        .slice(0, 2)
        .map((check) => check.met);

    expect(missed([round(10_500, { delivered: 9_999 })])).toEqual([false, false]);
    expect(missed([round(10_500, { duplicates: 1 })])).toEqual([false, true]);
    expect(missed([round(10_500, { timedOut: 1 })])).toEqual([false, true]);
    expect(missed([round(10_500), round(11_600), round(11_700)])).toEqual([true, false]);
  });
});

describe('pushbackTables', () => {
  it('shows each budget against its floor, the projection inputs, and the projected settings', () => {
    // Act
    const [throttled, inputs, projection] = pushbackTables(result(goodRuns()), 50);

    // Assess
    expect(throttled?.rows.map((row) => [row[0], row[1], row[4], row[5], row[6]])).toEqual([
      ['1,000/s', '100,000 at 10,000/s', '10,000 ms', '10,500 ms', '1.1x'],
      ['500/s', '100,000 at 5,000/s', '20,000 ms', '20,800 ms', '1.0x'],
      ['5,000/s (function only)', '-', '2,000 ms', '2,250 ms', '1.1x'],
    ]);
    expect(inputs?.rows[0]).toEqual([
      'CPU per post at the CPU share',
      '0.34 ms',
      'the 10,000-member run at 5,000/s, function only',
    ]);
    expect(projection?.rows.map((row) => [row[0], row[1], row[2], row[5], row[6]])).toEqual([
      ['5,000/s (default)', '1,024 MB', '5', 'budget', '20,800 ms'],
      ['10,000/s', '1,024 MB', '5', 'CPU', '11,797 ms'],
      ['10,000/s', '1,024 MB', '10', 'budget', '10,500 ms'],
      ['10,000/s', '1,769 MB', '5', 'budget', '10,500 ms'],
    ]);
  });

  it('shows no projection without a reference run', () => {
    expect(pushbackTables(result(goodRuns().slice(0, 2)), 50)).toHaveLength(1);
  });
});
