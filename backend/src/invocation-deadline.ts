/**
 * The running invocation's deadline as module state. Lambda runs one invocation at a time in a
 * container, so the SDK clients built once at cold start can ask it how long the invocation
 * still has, and never start a request that would outlive it.
 */

/** How long the running invocation still has. */
export interface InvocationDeadline {
  /** Milliseconds before Lambda stops the invocation; infinite between invocations. */
  remainingTimeMs(): number;
}

/** The deadline, set when an invocation begins and cleared when it ends. */
export interface InvocationClock extends InvocationDeadline {
  /**
   * Starts an invocation.
   * @param remainingTimeMs - Lambda's `context.getRemainingTimeInMillis`; undefined (a test, a
   *   local script) means no deadline
   */
  begin(remainingTimeMs: (() => number) | undefined): void;
  /** Ends the invocation: no deadline until the next one begins. */
  end(): void;
}

/**
 * Builds the container's invocation clock.
 * @returns a clock with no deadline until an invocation begins
 */
export function createInvocationClock(): InvocationClock {
  let current: (() => number) | undefined;
  return {
    begin(remainingTimeMs) {
      current = remainingTimeMs;
    },
    end() {
      current = undefined;
    },
    remainingTimeMs() {
      return current === undefined ? Number.POSITIVE_INFINITY : current();
    },
  };
}
