/**
 * What every fault injection hands back: how often it has struck so far, so a test can check
 * that the fault it armed really happened before it asserts what the function made of it.
 */

/** A fault armed on the running stack. */
export interface InjectedFault {
  /** Requests (or invocations) it has failed so far. */
  readonly injected: number;
}

/**
 * Checks an optional count or duration of a fault's options.
 * @param name - the option's name, for the message
 * @param value - its value
 * @param integer - whether only whole numbers make sense
 * @throws RangeError when the value is present and not a positive (whole) number
 */
export function requirePositive(name: string, value: number | undefined, integer = true): void {
  if (value === undefined) return;
  const valid = Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!valid) {
    throw new RangeError(
      `${name} must be a positive ${integer ? 'whole number' : 'number'}, got ${value}`,
    );
  }
}
