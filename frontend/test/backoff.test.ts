import { describe, expect, it } from 'vitest';
import { defaultBackoff, reconnectDelay } from '../src/backoff.ts';

describe('reconnectDelay', () => {
  it('doubles the ceiling per attempt and jitters within its upper half', () => {
    // Prepare
    const policy = { baseMs: 1_000, maxMs: 30_000 };

    // Act
    const lowest = [0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, policy, 0));
    const highest = [0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, policy, 0.999_999));

    // Assess
    expect(lowest).toEqual([500, 1_000, 2_000, 4_000]);
    expect(highest).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    // Act
    const delays = [5, 10, 100, 1e9].map((attempt) =>
      reconnectDelay(attempt, defaultBackoff, 0.999_999),
    );

    // Assess
    for (const delay of delays) expect(delay).toBe(defaultBackoff.maxMs);
  });

  it('spreads tabs that retry at the same moment apart', () => {
    // Act
    const delays = new Set(
      [0.1, 0.4, 0.7].map((random) => reconnectDelay(2, defaultBackoff, random)),
    );

    // Assess
    expect(delays.size).toBe(3);
  });
});
