/**
 * One invocation's pace, on fake timers: leased posts spread over their lease's stretch, several
 * invocations within one shared budget, AIMD on the account's throttle (and not on one slow
 * reader), and what happens at the deadline or without the budget.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallbackBudget, LeaseOutcome } from '../../src/broadcast/callback-budget.ts';
import type { Pacer } from '../../src/broadcast/pacer.ts';
import { createPacer, systemClock } from '../../src/broadcast/pacer.ts';

const T0 = Date.parse('2026-11-27T06:00:00.000Z');
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The shared timeline in memory, with the same rule as the DynamoDB item. */
function memoryBudget(postsPerSecond: number): CallbackBudget & { calls: number } {
  let tat = 0;
  const budget = {
    postsPerSecond,
    calls: 0,
    async lease(count: number, now: number, latestEnd: number): Promise<LeaseOutcome> {
      budget.calls++;
      const span = (count * 1000) / postsPerSecond;
      const start = Math.max(tat, now);
      if (start + span > latestEnd) return { retryAt: now + (start + span - latestEnd) };
      tat = start + span;
      return { lease: { count, startsAt: start, endsAt: tat } };
    },
  };
  return budget;
}

const pacerWith = (budget: CallbackBudget | undefined, postsPerSecond = 1000): Pacer =>
  createPacer({ budget, postsPerSecond, clock: systemClock, timeToStopMs: () => 10_000 });

/** Starts `count` posts through the pacer at once; resolves with the instant each may start. */
async function startInstants(pacer: Pacer, count: number, leased: boolean): Promise<number[]> {
  if (leased) pacer.expect(count);
  const instants: number[] = [];
  const all = Promise.all(
    Array.from({ length: count }, async () => {
      expect(await pacer.acquire(leased)).toBe(true);
      instants.push(Date.now());
    }),
  );
  await vi.runAllTimersAsync();
  await all;
  return instants.toSorted((a, b) => a - b);
}

describe('the pacer', () => {
  it("spreads a lease's posts over its stretch of time, one every 1/rate", async () => {
    // Prepare
    const budget = memoryBudget(1000);

    // Act
    const instants = await startInstants(pacerWith(budget), 250, true);

    // Assess: 250 posts at 1,000 a second: one per millisecond, in leases of 100
    expect(instants[0]).toBe(T0);
    expect(instants.at(-1)).toBe(T0 + 249);
    expect(new Set(instants).size).toBe(250);
    expect(budget.calls).toBe(3);
  });

  it('keeps several invocations together within the shared budget', async () => {
    // Prepare: three invocations, one budget of 1,000 posts a second
    const budget = memoryBudget(1000);
    const pacers = [pacerWith(budget), pacerWith(budget), pacerWith(budget)];

    // Act
    const instants = (
      await Promise.all(pacers.map((pacer) => startInstants(pacer, 300, true)))
    ).flat();

    // Assess: 900 posts take 0.9 s whoever posts them; no 100 ms holds more than 100
    const sorted = instants.toSorted((a, b) => a - b);
    expect(sorted.at(-1)).toBeGreaterThanOrEqual(T0 + 899);
    const perTenth = new Map<number, number>();
    for (const instant of sorted) {
      const tenth = Math.floor((instant - T0) / 100);
      perTenth.set(tenth, (perTenth.get(tenth) ?? 0) + 1);
    }
    expect(Math.max(...perTenth.values())).toBeLessThanOrEqual(100);
  });

  it('takes no lease for a small broadcast', async () => {
    const budget = memoryBudget(1000);

    await startInstants(pacerWith(budget), 20, false);

    expect(budget.calls).toBe(0);
  });

  it('halves its rate when several recipients are throttled, and not for one slow reader', async () => {
    // Prepare
    const oneReader = pacerWith(undefined);
    const account = pacerWith(undefined);
    for (const pacer of [oneReader, account]) await startInstants(pacer, 1, false);

    // Act: three 429s for one recipient, against 429s for two
    for (let i = 0; i < 3; i++) oneReader.throttled('slow', T0);
    account.throttled('a', T0);
    account.throttled('b', T0);

    // Assess: the next posts are 1 ms apart for the one, 2 ms for the other
    const spacing = async (pacer: Pacer): Promise<number> => {
      const [first, second] = await startInstants(pacer, 2, false);
      return (second as number) - (first as number);
    };
    expect(await spacing(oneReader)).toBe(1);
    expect(await spacing(account)).toBe(2);
    expect(account.stats.slowdowns).toBe(1);
  });

  it('cuts once per round of posts in flight, and adds a tenth of the rate back per 100 delivered', async () => {
    // Prepare: posts started at T0 and T0 + 5 ms; the first 429s arrive at T0 + 10 ms
    const pacer = pacerWith(undefined);
    vi.advanceTimersByTime(10);
    pacer.throttled('a', T0);
    pacer.throttled('b', T0);
    const spacingNow = async (): Promise<number> => {
      const [first, second] = await startInstants(pacer, 2, false);
      return (second as number) - (first as number);
    };

    // Act: 429s of posts started before that cut cut nothing more; then 100 deliveries
    pacer.throttled('c', T0 + 5);
    pacer.throttled('d', T0 + 5);
    const afterOldAnswers = await spacingNow();
    for (let i = 0; i < 100; i++) pacer.delivered();
    const tenStarts = await startInstants(pacer, 10, false);

    // Assess: 500 a second (2 ms apart), then 600 a second (nine gaps of 1.67 ms: 15 ms)
    expect(afterOldAnswers).toBe(2);
    expect((tenStarts.at(-1) as number) - (tenStarts[0] as number)).toBeCloseTo(15, -0.5);
    expect(pacer.stats.slowdowns).toBe(1);
  });

  it('answers false once the deadline has come', async () => {
    const pacer = createPacer({
      budget: memoryBudget(1000),
      postsPerSecond: 1000,
      clock: systemClock,
      timeToStopMs: () => 0,
    });
    pacer.expect(1);

    expect(await pacer.acquire(true)).toBe(false);
  });

  it('paces on its own when the budget cannot be reached', async () => {
    // Prepare
    const unreachable: CallbackBudget = {
      postsPerSecond: 1000,
      lease: async () => {
        throw new Error('timeout');
      },
    };
    const pacer = pacerWith(unreachable);

    // Act
    const instants = await startInstants(pacer, 3, true);

    // Assess
    expect(instants).toEqual([T0, T0 + 1, T0 + 2]);
    expect(pacer.stats.budgetUnavailable).toBe(true);
  });
});
