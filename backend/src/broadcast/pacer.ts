/**
 * One invocation's pace of posts. Two limits, whichever is slower:
 *
 * - **The shared budget** (callback-budget.ts): the invocation leases chunks of the account's
 *   callback budget (about 0.1 s of it, at least 10 posts, at most what it still has to post) and
 *   starts each leased post at its own instant within the lease's stretch of time, so the posts
 *   of all invocations together stay within the budget. Small broadcasts (see
 *   {@link SMALL_BROADCAST}) take no lease: a lease would be one more DynamoDB request per
 *   message.
 * - **AIMD** on the account's throttle: when API Gateway answers 429 for several recipients, the
 *   invocation halves its rate (once per round of posts in flight, as TCP does per window); every
 *   100 successful posts it adds back a tenth of the full rate, up to the budget's rate.
 *
 * A post waits for its instant here; when the invocation's deadline comes first, `acquire`
 * answers false and the post is handed off instead.
 */
import type { CallbackBudget, Lease } from './callback-budget.ts';

/**
 * Broadcasts of at most this many recipients, posted whole by one invocation, take no lease
 * (still paced by AIMD).
 */
export const SMALL_BROADCAST = 50;
/** A lease covers about this much of the budget's time… */
const LEASE_SECONDS = 0.1;
/** …and at least this many posts (fewer only when fewer are left to post). */
const MIN_LEASE = 10;
/** How far ahead an invocation books the timeline (and so at most waits for its stretch). */
const BOOK_AHEAD_MS = 1000;
/** Successful posts per additive increase, and its size as a share of the full rate. */
const INCREASE_EVERY = 100;
const INCREASE_SHARE = 0.1;
/** The rate never falls below this share of the full rate (so the invocation keeps probing). */
const MIN_RATE_SHARE = 1 / 64;
/** While waiting for the timeline to free up, look at the deadline at least this often. */
const MAX_WAIT_STEP_MS = 100;

/** The clock a pacer waits on; tests pass a fake one. */
export interface PacerClock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

/** What {@link createPacer} needs. */
export interface PacerOptions {
  /** The shared budget; undefined: AIMD alone, at `postsPerSecond`. */
  readonly budget: CallbackBudget | undefined;
  /** The full rate (the budget's); the AIMD rate never exceeds it. */
  readonly postsPerSecond: number;
  readonly clock: PacerClock;
  /** Milliseconds left before no post may start (the invocation's hand-off margin). */
  readonly timeToStopMs: () => number;
}

/** How an invocation paces its posts; one per invocation, shared by its broadcasts. */
export interface Pacer {
  /**
   * Announces posts a leased broadcast still has to make (negative: no longer), so leases are
   * sized to what is left.
   */
  expect(posts: number): void;
  /**
   * Waits for the instant the next post may start.
   * @param leased - whether the post needs a lease of the shared budget
   * @returns true to post now; false when the deadline came first
   */
  acquire(leased: boolean): Promise<boolean>;
  /** A post was accepted. */
  delivered(): void;
  /**
   * A post was throttled (429).
   * @param connectionId - its recipient: one recipient alone is not the account's throttle
   * @param startedAt - when it started; answers to posts sent before the last cut cut nothing
   */
  throttled(connectionId: string, startedAt: number): void;
  /** What the pacer did, for the log line. */
  readonly stats: PacerStats;
}

/** The pacer's counters. */
export interface PacerStats {
  /** Leases taken, and requests made to the budget for them. */
  leases: number;
  /** Times the AIMD rate was halved. */
  slowdowns: number;
  /** The budget could not be reached: this invocation paced by AIMD alone. */
  budgetUnavailable: boolean;
}

/**
 * Builds an invocation's pacer.
 * @param options - the budget, the rate, the clock and the deadline
 * @returns the pacer
 */
export function createPacer(options: PacerOptions): Pacer {
  const { clock, postsPerSecond: fullRate } = options;
  let budget = options.budget;
  const stats: PacerStats = { leases: 0, slowdowns: 0, budgetUnavailable: false };
  let rate = fullRate;
  let nextStartAt = 0;
  let successes = 0;
  let lastCutAt = Number.NEGATIVE_INFINITY;
  const throttledSinceCut = new Set<string>();
  let pending = 0;
  // Leased instants not yet used, oldest lease first.
  const leases: { lease: Lease; used: number }[] = [];
  let leasing: Promise<void> | undefined;

  const leasedLeft = (): number =>
    leases.reduce((sum, { lease, used }) => sum + lease.count - used, 0);

  /** Takes the next leased instant, if any. */
  const takeLeasedInstant = (): number | undefined => {
    const current = leases[0];
    if (current === undefined) return undefined;
    const { lease } = current;
    const instant = lease.startsAt + ((lease.endsAt - lease.startsAt) * current.used) / lease.count;
    current.used++;
    if (current.used === lease.count) leases.shift();
    return instant;
  };

  /** Books the next chunk of the budget; one request at a time per invocation. */
  const lease = (): Promise<void> => {
    leasing ??= (async () => {
      const shared = budget;
      if (shared === undefined) return;
      const chunk = Math.max(MIN_LEASE, Math.round(fullRate * LEASE_SECONDS));
      const count = Math.max(1, Math.min(chunk, pending - leasedLeft()));
      const now = clock.now();
      const latestEnd = now + Math.min(BOOK_AHEAD_MS, Math.max(0, options.timeToStopMs()));
      try {
        stats.leases++;
        const outcome = await shared.lease(count, now, latestEnd);
        if ('lease' in outcome) leases.push({ lease: outcome.lease, used: 0 });
        else await clock.sleep(Math.min(MAX_WAIT_STEP_MS, outcome.retryAt - clock.now()));
      } catch {
        // Posting on without the shared budget beats not posting: AIMD still paces.
        budget = undefined;
        stats.budgetUnavailable = true;
      }
    })().finally(() => {
      leasing = undefined;
    });
    return leasing;
  };

  return {
    stats,
    expect(posts) {
      pending = Math.max(0, pending + posts);
    },
    async acquire(leased) {
      let instant: number | undefined;
      while (leased && budget !== undefined) {
        if (options.timeToStopMs() <= 0) return false;
        instant = takeLeasedInstant();
        if (instant !== undefined) break;
        await lease();
      }
      if (leased) {
        pending = Math.max(0, pending - 1);
        // Book the next chunk before this one runs out, so posting never stalls on a lease.
        if (budget !== undefined && leasedLeft() < pending && leasing === undefined) {
          const current = leases[0];
          if (current === undefined || current.used * 2 >= current.lease.count) void lease();
        }
      }
      const now = clock.now();
      const startAt = Math.max(now, instant ?? now, nextStartAt);
      nextStartAt = startAt + 1000 / rate;
      // Under a millisecond early is harmless, and no timer is that fine anyway.
      if (startAt - now >= 1) await clock.sleep(startAt - now);
      return options.timeToStopMs() > 0;
    },
    delivered() {
      successes++;
      if (successes % INCREASE_EVERY === 0)
        rate = Math.min(fullRate, rate + fullRate * INCREASE_SHARE);
    },
    throttled(connectionId, startedAt) {
      // A post sent before the last cut was sent at the old rate: its 429 says nothing new.
      if (startedAt < lastCutAt) return;
      throttledSinceCut.add(connectionId);
      // One recipient alone is its own full buffer, not the account's throttle.
      if (throttledSinceCut.size < 2) return;
      rate = Math.max(fullRate * MIN_RATE_SHARE, rate / 2);
      lastCutAt = clock.now();
      throttledSinceCut.clear();
      stats.slowdowns++;
    },
  };
}

/** The real clock. */
export const systemClock: PacerClock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds))),
};
