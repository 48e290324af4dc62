import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/common/progress.ts';
import { parseBenchOptions } from '../../src/options.ts';
import { runPushbackBenchmark } from '../../src/pushback/benchmark.ts';
import { checkPushbackTargets } from '../../src/pushback/report.ts';

describe('runPushbackBenchmark', () => {
  it('broadcasts against an account throttle and without one, every recipient once', {
    timeout: 180_000,
  }, async () => {
    // Prepare: 60 recipients in shards of 20, against 60 posts/s (a floor of 1 s)
    const options = parseBenchOptions([
      '--pushback-budgets=60',
      '--pushback-recipients=60',
      '--fanout-rounds=1',
      '--fanout-round-trip-ms=5',
      '--fanout-shard-size=20',
    ]);

    // Act
    const result = await runPushbackBenchmark(
      options,
      new AbortController().signal,
      silentProgress,
    );

    // Assess: the throttled run, then the reference run at the function's default budget
    expect(result.runs.map((run) => [run.budget, run.accountThrottle])).toEqual([
      [60, true],
      [5000, false],
    ]);
    for (const run of result.runs) {
      for (const round of [run.warmUp, ...run.rounds]) {
        expect(round).toMatchObject({ delivered: 60, duplicates: 0, timedOut: 0 });
        expect(round.metrics.Delivered).toBe(60);
      }
    }
    const [throttled] = result.runs;
    // Never faster than the budget allows: 60 posts at 60 a second, less the burst of 30
    expect(throttled?.rounds[0]?.lastDeliveryMs).toBeGreaterThan(400);
    const exactlyOnce = checkPushbackTargets(result, 50).filter((check) =>
      check.description.includes('exactly once'),
    );
    expect(exactlyOnce.map((check) => check.met)).toEqual([true, true]);
  });
});
