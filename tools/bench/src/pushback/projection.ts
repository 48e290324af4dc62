/**
 * A broadcast to 100,000 members, projected from what the pushback benchmark measured: this
 * machine cannot hold 100,000 recipients' worth of containers at Lambda's CPU share (two cores
 * against six containers of 0.58 vCPU), so the figure is a model with its inputs shown. Pure.
 *
 * Two limits, whichever is slower:
 * - **The budget.** The run at budget b with N members is the same broadcast as M members at
 *   b × M / N posts a second, at a tenth (N / M) of the scale: the same floor, the same leases,
 *   the same deadlines. Its measured time is the projected time against that budget; a budget no
 *   run modelled gets the worst measured ratio of time to floor.
 * - **The workers' CPU.** Each shard worker posts at most `share / CPU per post` a second (its CPU
 *   share at the memory; the CPU per post measured at Lambda's share in the reference run, where
 *   nothing but the function's own default budget paces the workers), and at most `posts in
 *   flight / round trip`; the mapping runs `mapping concurrency` of them. Time: the first
 *   delivery's delay plus M over their summed rate.
 *
 * Cost: every worker and the accepting invocation are billed for the whole broadcast (a paced
 * worker waits, and waiting is billed), at arm64's price per GB-second.
 */
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { median } from '../common/report.ts';
import type { PushbackBenchmarkResult, ThrottledRun } from './benchmark.ts';

/** The members the projection is about, and API Gateway's default account quota. */
export const PROJECTED_MEMBERS = 100_000;
export const ACCOUNT_QUOTA_PER_SECOND = 10_000;
/** The target: 100,000 members within this long (the quota's floor is 10 s). */
export const PROJECTED_TARGET_MS = 12_000;
/** Lambda on arm64, us-east-1 list price (docs/fanout.md). */
const PRICE_PER_GB_SECOND = 0.000_013_333_4;

/** One setting of the stack: what Terraform's variables set. */
export interface ProjectedSetting {
  /** `callback_rate_limit`: posts a second for all invocations together. */
  readonly budget: number;
  /** `lambda_memory_mb`. */
  readonly memoryMb: number;
  /** `fanout_maximum_concurrency`: shard workers at once. */
  readonly mappingConcurrency: number;
}

/** The measured figures the projection starts from. */
export interface ProjectionInputs {
  /** Members of the measured room. */
  readonly recipients: number;
  /** CPU per post at Lambda's share (ms), and the first delivery's delay (ms): medians. */
  readonly cpuPerPostMs: number;
  readonly firstDeliveryMs: number;
  /** The function's budget in the reference run they come from (no account throttle). */
  readonly measuredAtBudget: number;
  readonly roundTripMs: number;
  /** Posts each invocation keeps in flight (SEND_CONCURRENCY's default). */
  readonly sendConcurrency: number;
  /**
   * Each run's median time, as the budget it models for the projected members (the run's own
   * budget times projected members / measured members: the same floor).
   */
  readonly paced: readonly PacedRun[];
}

/** A measured run as the budget limit reads it. */
export interface PacedRun {
  /** The run's own budget (posts a second), and the budget it models. */
  readonly measuredBudget: number;
  readonly modelledBudget: number;
  readonly timeMs: number;
}

/** One setting, projected. */
export interface ProjectedBroadcast {
  readonly setting: ProjectedSetting;
  /** Posts a second one worker can make at the setting's memory, and all workers together. */
  readonly workerRate: number;
  readonly workersRate: number;
  /** The slower limit. */
  readonly boundBy: 'budget' | 'CPU' | 'posts in flight';
  /** The measured run that gives the budget's time; undefined: the worst run's ratio to its floor. */
  readonly modelledBy: PacedRun | undefined;
  readonly timeMs: number;
  readonly gbSeconds: number;
  readonly lambdaCost: number;
}

/** The settings the projection shows: the defaults, and the ones that change the outcome. */
export const PROJECTED_SETTINGS: readonly ProjectedSetting[] = [
  { budget: contract.limits.callbackRateLimit, memoryMb: 1024, mappingConcurrency: 5 },
  { budget: ACCOUNT_QUOTA_PER_SECOND, memoryMb: 1024, mappingConcurrency: 5 },
  { budget: ACCOUNT_QUOTA_PER_SECOND, memoryMb: 1024, mappingConcurrency: 10 },
  { budget: ACCOUNT_QUOTA_PER_SECOND, memoryMb: 1769, mappingConcurrency: 5 },
];

/**
 * The inputs, from the benchmark's runs: CPU per post and first delivery from the reference run
 * (the function's default budget, no account throttle: its workers post as fast as their CPU
 * share lets them), each throttled run's time.
 * @param result - the pushback benchmark's figures
 * @param sendConcurrency - posts in flight per invocation
 * @returns the inputs, or undefined without a measured reference and throttled run
 */
export function projectionInputs(
  result: PushbackBenchmarkResult,
  sendConcurrency: number,
): ProjectionInputs | undefined {
  const measured = result.runs.filter((run) => run.rounds.length > 0);
  const reference = measured.find((run) => !run.accountThrottle);
  const throttled = measured.filter((run) => run.accountThrottle);
  if (reference === undefined || throttled.length === 0) return undefined;
  const medianOf = (run: ThrottledRun, pick: (round: ThrottledRun['warmUp']) => number): number =>
    median(run.rounds.map(pick));
  return {
    recipients: reference.recipients,
    cpuPerPostMs: medianOf(reference, (round) => round.cpuPerPostMs),
    firstDeliveryMs: medianOf(reference, (round) => round.firstDeliveryMs),
    measuredAtBudget: reference.budget,
    roundTripMs: result.roundTripMs,
    sendConcurrency,
    paced: throttled.map((run) => ({
      measuredBudget: run.budget,
      modelledBudget: (run.budget * PROJECTED_MEMBERS) / run.recipients,
      timeMs: medianOf(run, (round) => round.lastDeliveryMs),
    })),
  };
}

/**
 * Projects one setting.
 * @param inputs - the measured figures
 * @param setting - budget, memory and mapping concurrency
 * @returns its time, what bounds it, and its cost
 */
export function projectBroadcast(
  inputs: ProjectionInputs,
  setting: ProjectedSetting,
): ProjectedBroadcast {
  const share = setting.memoryMb / contract.lambda.oneVcpuMemoryMb;
  const cpuRate = (share * 1000) / inputs.cpuPerPostMs;
  const flightRate = (inputs.sendConcurrency * 1000) / inputs.roundTripMs;
  const workerRate = Math.min(cpuRate, flightRate);
  const workersRate = workerRate * setting.mappingConcurrency;
  const cpuBoundMs = inputs.firstDeliveryMs + (PROJECTED_MEMBERS / workersRate) * 1000;
  const modelled = inputs.paced.find((run) => run.modelledBudget === setting.budget);
  const floorMs = (PROJECTED_MEMBERS / setting.budget) * 1000;
  const worstRatio = Math.max(
    1,
    ...inputs.paced.map((run) => run.timeMs / ((PROJECTED_MEMBERS / run.modelledBudget) * 1000)),
  );
  const budgetBoundMs = modelled?.timeMs ?? floorMs * worstRatio;
  const timeMs = Math.max(budgetBoundMs, cpuBoundMs);
  const gbSeconds = (setting.mappingConcurrency + 1) * (timeMs / 1000) * (setting.memoryMb / 1024);
  return {
    setting,
    workerRate,
    workersRate,
    boundBy:
      budgetBoundMs >= cpuBoundMs ? 'budget' : cpuRate <= flightRate ? 'CPU' : 'posts in flight',
    modelledBy: modelled,
    timeMs,
    gbSeconds,
    lambdaCost: gbSeconds * PRICE_PER_GB_SECOND,
  };
}
