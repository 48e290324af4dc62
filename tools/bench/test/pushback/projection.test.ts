import { describe, expect, it } from 'vitest';
import type { PushbackBenchmarkResult, ThrottledRun } from '../../src/pushback/benchmark.ts';
import {
  type ProjectionInputs,
  projectBroadcast,
  projectionInputs,
} from '../../src/pushback/projection.ts';
import { broadcastRound, broadcastRun } from '../support/broadcast-rounds.ts';

const inputs = (overrides: Partial<ProjectionInputs> = {}): ProjectionInputs => ({
  recipients: 10_000,
  cpuPerPostMs: 0.34,
  firstDeliveryMs: 100,
  measuredAtBudget: 5000,
  roundTripMs: 20,
  sendConcurrency: 50,
  paced: [
    { measuredBudget: 1000, modelledBudget: 10_000, timeMs: 10_500 },
    { measuredBudget: 500, modelledBudget: 5000, timeMs: 20_400 },
  ],
  ...overrides,
});

const throttled = (budget: number, accountThrottle: boolean, times: number[]): ThrottledRun => ({
  ...broadcastRun(
    1024,
    10_000,
    times.map((lastDeliveryMs, index) =>
      broadcastRound(lastDeliveryMs, { cpuPerPostMs: 0.3 + index / 100, firstDeliveryMs: 80 }),
    ),
  ),
  budget,
  accountThrottle,
});

describe('projectionInputs', () => {
  it("takes CPU per post from the run without the account throttle, and each throttled run's time as the budget it models", () => {
    // Prepare
    const result: PushbackBenchmarkResult = {
      roundTripMs: 20,
      runs: [
        throttled(1000, true, [10_400, 10_600, 10_500]),
        throttled(500, true, [20_300]),
        throttled(5000, false, [2100, 2300, 2200]),
      ],
    };

    // Act
    const projected = projectionInputs(result, 50);

    // Assess
    expect(projected).toEqual({
      recipients: 10_000,
      cpuPerPostMs: 0.31,
      firstDeliveryMs: 80,
      measuredAtBudget: 5000,
      roundTripMs: 20,
      sendConcurrency: 50,
      paced: [
        { measuredBudget: 1000, modelledBudget: 10_000, timeMs: 10_500 },
        { measuredBudget: 500, modelledBudget: 5000, timeMs: 20_300 },
      ],
    });
  });

  it('has nothing to project from without a reference run or a throttled run', () => {
    const only = (run: ThrottledRun): PushbackBenchmarkResult => ({ roundTripMs: 20, runs: [run] });

    expect(projectionInputs(only(throttled(1000, true, [10_000])), 50)).toBeUndefined();
    expect(projectionInputs(only(throttled(5000, false, [2000])), 50)).toBeUndefined();
  });
});

describe('projectBroadcast', () => {
  it('is bound by the budget when the workers could post faster: the run of the same floor gives the time', () => {
    // Act: 1,769 MB is one vCPU: 2,941 posts/s of CPU, but 50 in flight / 20 ms = 2,500/s
    const projected = projectBroadcast(inputs(), {
      budget: 10_000,
      memoryMb: 1769,
      mappingConcurrency: 5,
    });

    // Assess
    expect(projected).toMatchObject({
      workerRate: 2500,
      workersRate: 12_500,
      boundBy: 'budget',
      modelledBy: { measuredBudget: 1000 },
      timeMs: 10_500,
    });
    // Six invocations of 1,769 MB for 10.5 s
    expect(projected.gbSeconds).toBeCloseTo(6 * 10.5 * (1769 / 1024));
    expect(projected.lambdaCost).toBeCloseTo(projected.gbSeconds * 0.0000133334);
  });

  it("is bound by the workers' CPU when their share cannot keep up with the budget", () => {
    // Act: 1,024 MB is 0.579 vCPU: 1,702 posts/s each, 8,512/s for five
    const projected = projectBroadcast(inputs(), {
      budget: 10_000,
      memoryMb: 1024,
      mappingConcurrency: 5,
    });

    // Assess: 100,000 at 8,512/s after the first delivery's 100 ms
    expect(projected.boundBy).toBe('CPU');
    expect(projected.workersRate).toBeCloseTo((5 * 1024) / 1769 / 0.00034, 0);
    expect(projected.timeMs).toBeCloseTo(100 + (100_000 / projected.workersRate) * 1000, 0);
  });

  it('scales the worst measured ratio to its floor for a budget no run modelled', () => {
    // Act: runs modelled 10,000/s (1.05x their floor) and 5,000/s (1.02x)
    const projected = projectBroadcast(inputs(), {
      budget: 2500,
      memoryMb: 1769,
      mappingConcurrency: 5,
    });

    // Assess: 40 s of floor, 1.05 times
    expect(projected.modelledBy).toBeUndefined();
    expect(projected.timeMs).toBeCloseTo(42_000);
  });
});
