import { describe, expect, it } from 'vitest';
import type { ColdStartResult } from '../../src/coldstart/benchmark.ts';
import { checkColdStartTargets, coldStartTables } from '../../src/coldstart/report.ts';

const result = (bundleKilobytes: number, lambdaInitMs: number): ColdStartResult => ({
  runs: 20,
  nodeVersion: 'v20.20.2',
  lambda: { bundleBytes: bundleKilobytes * 1024, medianInitMs: lambdaInitMs, medianProcessMs: 60 },
  baseline: { bundleBytes: 1340 * 1024, medianInitMs: 50, medianProcessMs: 80 },
  initRatio: lambdaInitMs / 50,
});

describe('checkColdStartTargets', () => {
  it.each([
    [354.8, 30, [true, true], ['354.8 KB', '0.60x']],
    [401, 40, [false, false], ['401.0 KB', '0.80x']],
  ])('judges a %s KB bundle that initialises in %s ms', (kilobytes, initMs, met, measured) => {
    // Act
    const checks = checkColdStartTargets(result(kilobytes, initMs));

    // Assess
    expect(checks.map((check) => check.met)).toEqual(met);
    expect(checks.map((check) => check.measured)).toEqual(measured);
  });
});

describe('coldStartTables', () => {
  it('puts our bundle beside the baseline, as a ratio of its init time', () => {
    // Act
    const [table] = coldStartTables(result(354.8, 30));

    // Assess
    expect(table?.rows.map((row) => [row[1], row[4]])).toEqual([
      ['354.8 KB', '0.6x'],
      ['1,340.0 KB', '1.0x'],
    ]);
  });

  it("adds the authorizer's bundle when it was built", () => {
    // Act
    const [table] = coldStartTables({
      ...result(354.8, 30),
      authorizer: { bundleBytes: 27.6 * 1024, medianInitMs: 10, medianProcessMs: 40 },
    });

    // Assess
    expect(table?.rows.at(-1)?.slice(0, 3)).toEqual([
      '$connect authorizer of the auth modes (backend/dist/authorizer)',
      '27.6 KB',
      '10.0 ms',
    ]);
  });
});
