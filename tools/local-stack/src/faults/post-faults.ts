/**
 * `@connections` outages for tests (`stack.faults.failPosts`): for a while, for a number of
 * posts, or for some recipients only, PostToConnection answers with an error status and the
 * `x-amzn-ErrorType` the real SDK turns into that exception, as a failing API Gateway would.
 */
import { STATUS_CODES } from 'node:http';
import { type InjectedFault, requirePositive } from './injected-fault.ts';

/** What `failPosts` takes. Without `forMs` and `count` the fault lasts until `clear()`. */
export interface FailPostsOptions {
  /** The status posts answer with (400-599). Default 500. */
  readonly status?: number;
  /** The `x-amzn-ErrorType` header. Default: the management API's exception for the status. */
  readonly errorType?: string;
  /** The fault ends this many milliseconds after it was armed. */
  readonly forMs?: number;
  /** The fault ends after failing this many posts (each SDK retry is a post). */
  readonly count?: number;
  /** Only posts to these connections fail; others go through. */
  readonly connectionIds?: readonly string[];
}

/** The answer a failed post gets. */
export interface PostFailure {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** The management API's exception for each status it answers with (its service model). */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  403: 'ForbiddenException',
  410: 'GoneException',
  413: 'PayloadTooLargeException',
  429: 'LimitExceededException',
};

/** One armed `failPosts`. */
class PostFaultRule implements InjectedFault {
  readonly failure: PostFailure;
  readonly #until: number | undefined;
  readonly #count: number | undefined;
  readonly #connectionIds: ReadonlySet<string> | undefined;
  #injected = 0;

  constructor(options: FailPostsOptions, now: number) {
    const status = options.status ?? 500;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`failPosts: status must be an error status (400-599), got ${status}`);
    }
    requirePositive('failPosts: forMs', options.forMs, false);
    requirePositive('failPosts: count', options.count);
    if (options.connectionIds?.length === 0) {
      throw new RangeError('failPosts: connectionIds must name at least one connection');
    }
    const errorType =
      options.errorType ??
      ERROR_TYPES[status] ??
      (status >= 500 ? 'InternalServerErrorException' : 'BadRequestException');
    this.failure = {
      status,
      errorType,
      message: status === 500 ? 'Internal server error' : (STATUS_CODES[status] ?? errorType),
    };
    this.#until = options.forMs === undefined ? undefined : now + options.forMs;
    this.#count = options.count;
    this.#connectionIds =
      options.connectionIds === undefined ? undefined : new Set(options.connectionIds);
  }

  get injected(): number {
    return this.#injected;
  }

  /** Whether the rule is over (its time or its count is used up). */
  expired(now: number): boolean {
    return (
      (this.#until !== undefined && now >= this.#until) ||
      (this.#count !== undefined && this.#injected >= this.#count)
    );
  }

  /** Fails this post if the rule covers its recipient, and counts it. */
  strike(connectionId: string): PostFailure | undefined {
    if (this.#connectionIds !== undefined && !this.#connectionIds.has(connectionId)) {
      return undefined;
    }
    this.#injected++;
    return this.failure;
  }
}

/** The armed post faults of one stack. */
export class PostFaults {
  readonly #now: () => number;
  #rules: PostFaultRule[] = [];

  /** @param now - the clock in milliseconds (tests pass their own) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Arms a fault.
   * @param options - status, type, duration, count and recipients
   * @returns the fault, counting the posts it failed
   * @throws RangeError for options that make no sense (a status below 400, a zero count...)
   */
  add(options: FailPostsOptions = {}): InjectedFault {
    const rule = new PostFaultRule(options, this.#now());
    this.#rules.push(rule);
    return rule;
  }

  /**
   * The answer a post to `connectionId` gets now: the first armed fault that covers it, or
   * `undefined` when the post goes through.
   */
  failureFor(connectionId: string): PostFailure | undefined {
    if (this.#rules.length === 0) return undefined;
    const now = this.#now();
    this.#rules = this.#rules.filter((rule) => !rule.expired(now));
    for (const rule of this.#rules) {
      const failure = rule.strike(connectionId);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  /** Disarms every post fault. */
  clear(): void {
    this.#rules = [];
  }
}
