import { describe, expect, it } from 'vitest';
import type { FanoutBenchmarkResult, FanoutRun } from '../benchmark.ts';
import { generateConnectionIds } from '../benchmark.ts';
import { checkFanoutTargets, recommendConcurrency } from '../report.ts';

const run = (concurrency: number, wallMs: number, peakInFlight = concurrency): FanoutRun => {
  const idealMs = (10_000 * 20) / concurrency;
  return {
    concurrency,
    calls: 10_000,
    delivered: 10_000,
    failed: 0,
    wallMs,
    idealMs,
    ratioToIdeal: wallMs / idealMs,
    peakInFlight,
  };
};

describe('recommendConcurrency', () => {
  it('picks the fastest setting within 1.3x of ideal that really reached its concurrency', () => {
    // Prepare: 100 never had more than 50 in flight, 200 is far from ideal
    const runs = [run(25, 8500), run(50, 4600), run(100, 4500, 50), run(200, 3500)];

    // Act
    const recommended = recommendConcurrency(runs);

    // Assess
    expect(recommended?.concurrency).toBe(50);
  });

  it('recommends nothing when no setting is close to ideal', () => {
    // Act / Assess
    expect(recommendConcurrency([run(10, 40_000)])).toBeUndefined();
  });
});

describe('checkFanoutTargets', () => {
  it('judges the default setting against the ratio and the 29 s timeout', () => {
    // Prepare
    const result: FanoutBenchmarkResult = {
      connections: 10_000,
      delayMs: 20,
      defaultConcurrency: 25,
      runs: [run(10, 21_000), run(25, 11_000)],
    };

    // Act
    const checks = checkFanoutTargets(result);

    // Assess: 11 s against an ideal 8 s is 1.38x
    expect(checks.map((check) => check.met)).toEqual([false, true]);
  });
});

describe('generateConnectionIds', () => {
  it('makes distinct ids in API Gateway format', () => {
    // Act
    const ids = generateConnectionIds(5000);

    // Assess
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{15}=$/);
  });
});
