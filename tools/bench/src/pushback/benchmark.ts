/**
 * The pushback benchmark: a broadcast against the account's callback budget. The slow endpoint
 * puts the local stack's account throttle (`--callback-rate`: a token bucket of the budget a
 * second, burst half that) in front of its posts, and the function is told the same budget
 * (CALLBACK_RATE_LIMIT), as an operator sets `callback_rate_limit` to the account's quota. A
 * room of 10,000 against 1,000 posts a second is a room of 100,000 against the default account
 * quota of 10,000 a second at a tenth of the scale: the same 10 s floor, the same number of
 * leases of the shared budget, the same deadlines. Every member must get the message exactly
 * once, close to the floor (N / budget, the baseline), with no invocation timing out. A last run
 * without the account throttle, at the function's default budget, is the reference: what the
 * workers' CPU does when the budget does not hold them back. Together they are the measured
 * inputs of the 100,000-member projection (projection.ts).
 */
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_STACK_DEFAULTS } from '../../../local-stack/src/defaults.ts';
import type { Progress } from '../common/progress.ts';
import { formatCount } from '../common/report.ts';
import { shardSizeEnvironment } from '../fanout/benchmark.ts';
import { type BroadcastRun, startBroadcastRig } from '../fanout/broadcast-rig.ts';
import { type SlowEndpoint, startSlowEndpoint } from '../fanout/slow-endpoint.ts';
import type { BenchOptions } from '../options.ts';

/** One budget: a warm-up broadcast and the measured ones, all against it. */
export interface ThrottledRun extends BroadcastRun {
  /** Posts per second: the function's CALLBACK_RATE_LIMIT, and the account throttle's if any. */
  readonly budget: number;
  /** Whether the account throttle stood in front of the posts (false: the reference run). */
  readonly accountThrottle: boolean;
}

/** The whole pushback benchmark. */
export interface PushbackBenchmarkResult {
  readonly roundTripMs: number;
  readonly runs: readonly ThrottledRun[];
}

/** Beyond twice its floor, what has not arrived counts as lost. */
const TIMEOUT_FLOOR_FACTOR = 2;
const TIMEOUT_EXTRA_MS = 30_000;

/**
 * Runs the benchmark at the default memory: one stack per budget.
 * @param options - the parsed flags
 * @param signal - Ctrl-C stops after the broadcast in progress
 * @param progress - where to report progress
 * @returns the figures, as far as the run got
 */
export async function runPushbackBenchmark(
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<PushbackBenchmarkResult> {
  const endpoint = await startSlowEndpoint(options.fanoutRoundTripMs);
  const runs: ThrottledRun[] = [];
  try {
    const settings = [
      ...options.pushbackBudgets.map((budget) => ({ budget, accountThrottle: true })),
      { budget: contract.limits.callbackRateLimit, accountThrottle: false },
    ];
    for (const setting of settings) {
      if (signal.aborted) break;
      runs.push(await measureBudget(setting, options, endpoint, signal, progress));
    }
    return { roundTripMs: options.fanoutRoundTripMs, runs };
  } finally {
    await endpoint.stop();
  }
}

async function measureBudget(
  setting: Pick<ThrottledRun, 'budget' | 'accountThrottle'>,
  options: BenchOptions,
  endpoint: SlowEndpoint,
  signal: AbortSignal,
  progress: Progress,
): Promise<ThrottledRun> {
  const { budget, accountThrottle } = setting;
  const recipients = options.pushbackRecipients;
  const memoryMb = LOCAL_STACK_DEFAULTS.memoryMb;
  await endpoint.limitRate(accountThrottle ? budget : undefined);
  const rig = await startBroadcastRig({
    memoryMb,
    endpoint,
    env: {
      [contract.environment.callbackRateLimit]: String(budget),
      ...shardSizeEnvironment(options),
    },
  });
  try {
    progress.log(
      `Pushback: ${formatCount(recipients)} recipients, a budget of ${formatCount(budget)} posts/s${accountThrottle ? '' : ' without the account throttle'}, at ${rig.stack.cpuLimit.description}`,
    );
    const floorMs = (recipients / budget) * 1000;
    const wait = { recipients, timeoutMs: floorMs * TIMEOUT_FLOOR_FACTOR + TIMEOUT_EXTRA_MS };
    const run = await rig.measure(wait, options.fanoutRounds, signal, (round) =>
      progress.update(`Pushback: ${formatCount(budget)} posts/s, broadcast ${round}`),
    );
    return { ...run, budget, accountThrottle };
  } finally {
    await rig.stop();
    await endpoint.limitRate(undefined);
  }
}
