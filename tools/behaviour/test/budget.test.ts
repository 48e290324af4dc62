import { describe, expect, it } from 'vitest';
import {
  type BudgetClock,
  BudgetMirror,
  spendOne,
  spendTogether,
  waitForAdmission,
  waitForFrames,
} from '../src/budget.ts';

/** A burst of 10, then 2 a second: 500 ms a frame. */
const LIMIT = { burst: 10, perSecond: 2 };

/** A clock the test moves; sleeping moves it. */
function fakeClock(start = 1_000_000): BudgetClock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('spendOne, as the chat spends a token', () => {
  it('accepts a burst at once, then refuses a burst more, then spends nothing', () => {
    // Prepare
    let tat = 0;
    const outcomes: string[] = [];
    // Act
    for (let frame = 0; frame < 25; frame++) {
      const before = tat;
      const spent = spendOne(tat, LIMIT, 1000);
      tat = spent.tatMs;
      outcomes.push(spent.accepted ? 'accepted' : tat === before ? 'not spent' : 'refused');
    }
    // Assess
    expect(outcomes).toEqual([
      ...Array(10).fill('accepted'),
      ...Array(10).fill('refused'),
      ...Array(5).fill('not spent'),
    ]);
  });

  it('restarts an idle bucket one interval from now', () => {
    expect(spendOne(500, LIMIT, 10_000)).toEqual({ tatMs: 10_500, accepted: true });
  });
});

describe('waits', () => {
  it('are 0 for frames a full bucket takes, and an interval per frame beyond', () => {
    expect(waitForFrames(0, LIMIT, 1000, 10)).toBe(0);
    expect(waitForFrames(1000 + 10 * 500, LIMIT, 1000, 1)).toBe(500);
    expect(waitForFrames(1000 + 4 * 500, LIMIT, 1000, 7)).toBe(500);
  });

  it('admit handshakes again once the overdraft has run down', () => {
    expect(waitForAdmission(1000 + 10 * 500, LIMIT, 1000)).toBe(0);
    expect(waitForAdmission(1000 + 20 * 500, LIMIT, 1000)).toBe(10 * 500);
  });
});

describe('BudgetMirror', () => {
  it('lets frames go at once while the bucket holds them and a reserve, then one an interval', async () => {
    // Prepare
    const clock = fakeClock();
    const mirror = new BudgetMirror(LIMIT, 'full', clock);
    // Act
    const sentAt: number[] = [];
    for (let frame = 0; frame < 12; frame++) {
      await mirror.spend();
      sentAt.push(clock.now());
    }
    // Assess: 8 at once (2 kept in reserve), then the 4 others no faster than the refill
    expect(sentAt.slice(0, 8)).toEqual(Array(8).fill(1_000_000));
    expect((sentAt[11] ?? 0) - 1_000_000).toBeGreaterThanOrEqual(4 * 500);
  });

  it('assumes a used bucket is spent, not overdrawn: a handshake may go, a frame waits', async () => {
    // Prepare
    const clock = fakeClock();
    const mirror = new BudgetMirror(LIMIT, 'spent', clock);
    // Act
    await mirror.admission();
    const sleptBeforeFrame = clock.slept.length;
    await mirror.spend();
    // Assess
    expect(sleptBeforeFrame).toBe(0);
    expect(clock.slept).toHaveLength(1);
  });

  it('counts a flood as the chat does, and waits for the overdraft and for a full bucket', async () => {
    // Prepare
    const clock = fakeClock();
    const mirror = new BudgetMirror(LIMIT, 'full', clock);
    // Act
    const accepted = mirror.record(30);
    await mirror.admission();
    const afterAdmission = clock.now();
    await mirror.refill();
    // Assess: 10 accepted; out of the overdraft 5 s on, full 10 s on (each wait an interval more)
    expect(accepted).toBe(10);
    expect(afterAdmission - 1_000_000).toBe(5_000 + 500);
    expect(clock.now() - 1_000_000).toBe(10_000 + 500);
  });

  it('refuses to spend more than a burst at once', async () => {
    const mirror = new BudgetMirror(LIMIT, 'full', fakeClock());
    await expect(mirror.spend(11)).rejects.toThrow(RangeError);
  });
});

describe('spendTogether', () => {
  it('waits for the fuller of two buckets to be ready in both, and spends from both at once', async () => {
    // Prepare: the person's bucket is empty, the connection's full
    const clock = fakeClock();
    const person = new BudgetMirror(LIMIT, 'spent', clock);
    const own = new BudgetMirror(LIMIT, 'full', clock);
    // Act
    await spendTogether([person, own]);
    // Assess: it waited for the person's; both now hold one frame less
    expect(clock.slept.length).toBeGreaterThan(0);
    expect(own.delayFor(8)).toBeGreaterThan(0);
    expect(own.delayFor(7)).toBe(0);
  });
});
