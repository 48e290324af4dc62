import { describe, expect, it } from 'vitest';
import { forEachWithConcurrency } from '../../src/broadcast/pool.ts';

/** Tracks how many tasks run at once; each task yields to the event loop a few times. */
function concurrencyProbe(): {
  task: (item: number) => Promise<void>;
  peak: () => number;
  seen: number[];
} {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  return {
    seen,
    peak: () => peak,
    task: async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Uneven durations, so workers finish out of order.
      for (let turn = 0; turn < (item % 3) + 1; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      seen.push(item);
      inFlight--;
    },
  };
}

async function* pagesOf(items: readonly number[], pageSize: number): AsyncGenerator<number> {
  for (let start = 0; start < items.length; start += pageSize) {
    await new Promise((resolve) => setImmediate(resolve));
    yield* items.slice(start, start + pageSize);
  }
}

describe('forEachWithConcurrency', () => {
  it('never exceeds the bound and reaches it when there is enough work', async () => {
    // Prepare
    const items = Array.from({ length: 200 }, (_, index) => index);
    const probe = concurrencyProbe();

    // Act
    await forEachWithConcurrency(items, 7, probe.task);

    // Assess
    expect(probe.peak()).toBe(7);
    expect(probe.seen.toSorted((a, b) => a - b)).toEqual(items);
  });

  it('pulls from an async source lazily and processes every item exactly once', async () => {
    // Prepare
    const items = Array.from({ length: 95 }, (_, index) => index);
    const probe = concurrencyProbe();

    // Act
    await forEachWithConcurrency(pagesOf(items, 10), 4, probe.task);

    // Assess
    expect(probe.peak()).toBeLessThanOrEqual(4);
    expect(probe.seen.toSorted((a, b) => a - b)).toEqual(items);
  });

  it('finishes every other item when one task fails, then reports the failure', async () => {
    // Prepare
    const done: number[] = [];
    const task = async (item: number): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
      if (item === 3) throw new Error('boom');
      done.push(item);
    };

    // Act
    const run = forEachWithConcurrency([0, 1, 2, 3, 4, 5, 6, 7], 2, task);

    // Assess
    await expect(run).rejects.toThrow('boom');
    expect(done.toSorted()).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });

  it('aggregates several failures', async () => {
    const run = forEachWithConcurrency([1, 2], 2, async () => {
      throw new Error('each');
    });

    await expect(run).rejects.toBeInstanceOf(AggregateError);
  });

  it('stops pulling when the source fails, after in-flight tasks settle', async () => {
    // Prepare
    async function* failingSource(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('scan failed');
    }
    const done: number[] = [];

    // Act
    const run = forEachWithConcurrency(failingSource(), 3, async (item) => {
      done.push(item);
    });

    // Assess
    await expect(run).rejects.toThrow('scan failed');
    expect(done).toEqual([1, 2]);
  });

  it('rejects a bound below 1', async () => {
    await expect(forEachWithConcurrency([1], 0, async () => {})).rejects.toThrow(RangeError);
  });
});
