/**
 * The account's callback budget: API Gateway throttles every request of an account and Region
 * with one token bucket, 10,000 requests per second with a burst of 5,000 by default (2,500 and
 * 1,250 in newer Regions), and `@connections` calls draw from it like any other API's
 * (docs/apigw-websocket.md, "The account throttle"). Locally it guards `@connections` POSTs only
 * when `--callback-rate` asks for it; past it, a post answers 429 `LimitExceededException`.
 */

/** A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  /**
   * @param ratePerSecond - tokens added per second (> 0)
   * @param burst - the most tokens it holds (>= 1); it starts full, as an idle account's does
   * @param now - the clock in milliseconds (tests pass their own)
   * @throws RangeError for a rate that is not a positive number or a burst below 1
   */
  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`A token bucket's rate must be a positive number, got ${ratePerSecond}`);
    }
    if (!(burst >= 1) || !Number.isFinite(burst)) {
      throw new RangeError(`A token bucket's burst must be at least 1, got ${burst}`);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Takes one token if there is one; false means the request is over the rate. */
  tryTake(): boolean {
    const now = this.#now();
    const elapsedMs = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.ratePerSecond) / 1000);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The `@connections` side of the account throttle, counting what it refused. */
export interface CallbackBudget {
  /** Whether one more post fits the budget now (a refused post is counted). */
  admit(): boolean;
  /** Posts refused so far. */
  readonly refused: number;
}

/**
 * A budget of `postsPerSecond`, with AWS's ratio of burst to rate (5,000 on 10,000: half the
 * rate, at least one post); `undefined` admits everything, as the stack does without
 * `--callback-rate`.
 * @param postsPerSecond - the account's rate, or undefined for no limit
 * @param now - the clock in milliseconds (tests pass their own)
 * @returns the budget
 */
export function createCallbackBudget(
  postsPerSecond: number | undefined,
  now?: () => number,
): CallbackBudget {
  const bucket =
    postsPerSecond === undefined
      ? undefined
      : new TokenBucket(postsPerSecond, Math.max(1, postsPerSecond / 2), now);
  let refused = 0;
  return {
    admit(): boolean {
      if (bucket === undefined || bucket.tryTake()) return true;
      refused++;
      return false;
    },
    get refused(): number {
      return refused;
    },
  };
}
