/**
 * The account's callback budget on a clock the test moves: AWS's ratio of burst to rate, the
 * refill, and the count of refused posts.
 */
import { describe, expect, it } from 'vitest';
import { createCallbackBudget, TokenBucket } from '../src/callback-budget.ts';

/** A clock that moves only when the test says so. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/** How many of `attempts` posts the budget admits at this instant. */
function admitted(budget: { admit(): boolean }, attempts: number): number {
  let count = 0;
  for (let attempt = 0; attempt < attempts; attempt++) if (budget.admit()) count++;
  return count;
}

describe('createCallbackBudget', () => {
  it('admits a burst of half the rate at once, as 5,000 on 10,000, then refuses', () => {
    // Prepare
    const clock = manualClock();
    const budget = createCallbackBudget(10_000, clock.now);
    // Act
    const first = admitted(budget, 6_000);
    // Assess
    expect(first).toBe(5_000);
    expect(budget.refused).toBe(1_000);
  });

  it('refills at the rate, never beyond the burst', () => {
    // Prepare: an empty bucket
    const clock = manualClock();
    const budget = createCallbackBudget(100, clock.now);
    admitted(budget, 50);
    // Act, Assess: 100 ms give 10 posts; a long pause gives the burst back, no more
    clock.advance(100);
    expect(admitted(budget, 20)).toBe(10);
    clock.advance(60_000);
    expect(admitted(budget, 100)).toBe(50);
  });

  it('lets a small budget through one post at a time', () => {
    const clock = manualClock();
    const budget = createCallbackBudget(1, clock.now);
    expect(admitted(budget, 3)).toBe(1);
    clock.advance(999);
    expect(budget.admit()).toBe(false);
    clock.advance(1);
    expect(budget.admit()).toBe(true);
    expect(budget.refused).toBe(3);
  });

  it('admits everything without a rate', () => {
    const budget = createCallbackBudget(undefined);
    expect(admitted(budget, 100_000)).toBe(100_000);
    expect(budget.refused).toBe(0);
  });
});

describe('TokenBucket', () => {
  it.each([
    [0, 1, "A token bucket's rate must be a positive number, got 0"],
    [Number.NaN, 1, "A token bucket's rate must be a positive number, got NaN"],
    [10, 0.5, "A token bucket's burst must be at least 1, got 0.5"],
  ])('refuses rate %s with burst %s', (rate, burst, message) => {
    expect(() => new TokenBucket(rate, burst)).toThrow(new RangeError(message));
  });
});
