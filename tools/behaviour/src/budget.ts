/**
 * A mirror, on the suite's side, of the token bucket the chat keeps for a sender
 * (backend/src/access/rate-limiter.ts): the same generic cell rate algorithm, one number, the
 * "theoretical arrival time" (TAT) of the next frame. The suite spends from it before every frame
 * it sends, and waits when the chat would refuse the frame, so no test is refused by accident.
 *
 * It matters most on AWS: without sign-in every client of the suite comes from the runner's one
 * address, so all of them share one budget (a burst of 10, then 2 frames a second by default),
 * and a person in the overdraft of theirs is refused new connections. The tests that mean to
 * overspend say so ({@link BudgetMirror.record}), and the mirror then knows how long the chat
 * will hold it against them.
 */
import type { RateLimit } from './chat-target.ts';

/** How a bucket stands when the mirror starts. */
export type BudgetStart =
  /** Never spent (a local stack started for the test file). */
  | 'full'
  /** Unknown (a deployed stack, used before): assume a burst was just spent, not the overdraft. */
  | 'spent';

/** The numbers one decision compares, as the chat's rate limiter derives them. */
interface Bounds {
  /** Milliseconds one frame costs. */
  readonly intervalMs: number;
  /** A frame is accepted while the TAT after it is at or below this. */
  readonly acceptedTatMs: number;
  /** A frame is spent (accepted or refused) while the TAT before it is at or below this. */
  readonly overdraftTatMs: number;
}

function boundsAt(limit: RateLimit, nowMs: number): Bounds {
  const intervalMs = 1000 / limit.perSecond;
  return {
    intervalMs,
    acceptedTatMs: nowMs + limit.burst * intervalMs,
    overdraftTatMs: nowMs + (2 * limit.burst - 1) * intervalMs,
  };
}

/**
 * The TAT after one frame arrives at `nowMs` (pure): an idle bucket starts again one interval
 * from now, a busy one moves on by one interval, one overdrawn by a whole burst is not spent.
 * @param tatMs - the TAT before the frame
 * @param limit - the bucket's limit
 * @param nowMs - when the frame arrives
 * @returns the TAT after it, and whether the chat accepts the frame
 */
export function spendOne(
  tatMs: number,
  limit: RateLimit,
  nowMs: number,
): { readonly tatMs: number; readonly accepted: boolean } {
  const bounds = boundsAt(limit, nowMs);
  if (tatMs <= nowMs) return { tatMs: nowMs + bounds.intervalMs, accepted: true };
  if (tatMs > bounds.overdraftTatMs) return { tatMs, accepted: false };
  const next = tatMs + bounds.intervalMs;
  return { tatMs: next, accepted: next <= bounds.acceptedTatMs + 0.001 };
}

/**
 * How long to wait until `count` frames in a row would all be accepted (pure).
 * @param tatMs - the bucket's TAT
 * @param limit - its limit
 * @param nowMs - the current time
 * @param count - frames to send
 * @returns milliseconds, 0 when they may go now
 */
export function waitForFrames(
  tatMs: number,
  limit: RateLimit,
  nowMs: number,
  count: number,
): number {
  const intervalMs = 1000 / limit.perSecond;
  const start = Math.max(tatMs, nowMs);
  // The last of the frames leaves the TAT at start + count intervals; it must be within a burst.
  return Math.max(0, start + count * intervalMs - (nowMs + limit.burst * intervalMs));
}

/**
 * How long until the bucket is out of its overdraft, when the chat admits its person's
 * handshakes again (pure; `isInOverdraft` in the chat's rate limiter).
 * @param tatMs - the bucket's TAT
 * @param limit - its limit
 * @param nowMs - the current time
 * @returns milliseconds, 0 when a handshake would be admitted now
 */
export function waitForAdmission(tatMs: number, limit: RateLimit, nowMs: number): number {
  return Math.max(0, tatMs - boundsAt(limit, nowMs).acceptedTatMs);
}

/** The clock and the sleep a mirror runs on; tests hand in fakes. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Tokens the mirror leaves unspent, at most: frames reach the chat a little after they are sent,
 * not all equally late, and the chat's clock is not the runner's, so a mirror that spent every
 * last token would now and then be a frame ahead of the chat.
 */
const RESERVE = 2;

/**
 * The suite's copy of one bucket of the chat's: a person's (the runner's address, or a signed-in
 * user) or a connection's.
 */
export class BudgetMirror {
  readonly limit: RateLimit;
  readonly clock: BudgetClock;
  #tatMs: number;

  constructor(limit: RateLimit, start: BudgetStart, clock: BudgetClock = realClock) {
    this.limit = limit;
    this.clock = clock;
    this.#tatMs = start === 'full' ? 0 : boundsAt(limit, clock.now()).acceptedTatMs;
  }

  /** Milliseconds one frame costs. */
  get intervalMs(): number {
    return 1000 / this.limit.perSecond;
  }

  /**
   * How long until `count` frames in a row would be accepted with a reserve to spare.
   * @param count - frames about to be sent, at most a burst
   * @returns milliseconds, 0 when they may go now
   */
  delayFor(count: number): number {
    if (count > this.limit.burst) {
      throw new RangeError(`${count} frames at once are more than a burst of ${this.limit.burst}`);
    }
    const reserve = Math.min(RESERVE, this.limit.burst - count);
    return waitForFrames(this.#tatMs, this.limit, this.clock.now(), count + reserve);
  }

  /**
   * Waits until the chat would accept `count` frames in a row, then counts them as spent.
   * @param count - frames about to be sent
   */
  async spend(count = 1): Promise<void> {
    await spendTogether([this], count);
  }

  /** Waits until the whole burst is there again, as for a test that spends it on purpose. */
  async refill(): Promise<void> {
    await this.#waitUntil(() => Math.max(0, this.#tatMs - this.clock.now()));
  }

  /** Waits until the person is out of the overdraft, so a handshake is admitted. */
  async admission(): Promise<void> {
    await this.#waitUntil(() => waitForAdmission(this.#tatMs, this.limit, this.clock.now()));
  }

  /**
   * Counts frames sent now, as the chat counts them: refused frames spend too, up to one burst
   * beyond the budget.
   * @param count - frames sent
   * @returns how many of them the chat accepts, by this mirror's arithmetic
   */
  record(count = 1): number {
    let accepted = 0;
    for (let index = 0; index < count; index++) {
      const spent = spendOne(this.#tatMs, this.limit, this.clock.now());
      this.#tatMs = spent.tatMs;
      if (spent.accepted) accepted++;
    }
    return accepted;
  }

  async #waitUntil(delay: () => number): Promise<void> {
    const ms = delay();
    // An interval more than the arithmetic says, for the frames' way to the chat.
    if (ms > 0) await this.clock.sleep(ms + this.intervalMs);
  }
}

/**
 * Waits until every one of `mirrors` (a frame spends from its person's budget and its
 * connection's) would accept `count` frames, then counts them as spent in all, at the same moment.
 * @param mirrors - the budgets the frames spend from
 * @param count - frames about to be sent
 */
export async function spendTogether(mirrors: readonly BudgetMirror[], count = 1): Promise<void> {
  for (;;) {
    const ms = Math.max(0, ...mirrors.map((mirror) => mirror.delayFor(count)));
    if (ms === 0) break;
    const [first] = mirrors;
    if (first === undefined) return;
    await first.clock.sleep(ms + first.intervalMs);
  }
  for (const mirror of mirrors) mirror.record(count);
}

/**
 * One mirror per person for the whole process: the test files of a run against a deployed stack
 * run one after the other in one process, and the chat keeps the runner's budget across them.
 */
const people = new Map<string, BudgetMirror>();

/**
 * The mirror of a person's budget, made on first use.
 * @param key - the stack and the person, e.g. `wss://…/prod address`
 * @param limit - the budget
 * @param start - how it stands when first used
 * @returns the same mirror for the same key
 */
export function personBudget(key: string, limit: RateLimit, start: BudgetStart): BudgetMirror {
  let mirror = people.get(key);
  if (mirror === undefined) {
    mirror = new BudgetMirror(limit, start);
    people.set(key, mirror);
  }
  return mirror;
}
