/** How reconnect delays grow: the first retry waits about `baseMs`, each later one twice as long, up to `maxMs`. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Retry soon after a blip, but never more often than every 30 s once the outage is long. */
export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): exponential growth with
 * "equal jitter", i.e. a random point in the upper half of the exponential step.
 *
 * Jitter keeps the tabs that API Gateway dropped at the same moment (a deploy, the 2-hour limit)
 * from all reconnecting in the same millisecond; keeping the lower half out means a retry never
 * fires instantly and hammers a server that just refused us.
 *
 * @param attempt - how many retries have already failed since the last successful connection
 * @param random - a number in [0, 1), `Math.random()` unless a test pins it
 */
export function reconnectDelay(
  attempt: number,
  policy: BackoffPolicy = defaultBackoff,
  random: number = Math.random(),
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
