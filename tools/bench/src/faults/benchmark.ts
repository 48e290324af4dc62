/**
 * The faults benchmark: broadcasts while AWS fails, at the default settings (the function's
 * default callback budget, no account throttle), through the same rig as the fan-out benchmark.
 *
 * 1. `@connections` answers 500 for a while (8 s by default) from the moment the message is
 *    sent: every member must still get it after the outage ends, inside the delivery window,
 *    and nothing may end in the dead-letter queue.
 * 2. SQS refuses the first two attempts of every entry the function sends to the shard queue
 *    (`stack.faults.failShardSends`): every member must still get it.
 * 3. SQS refuses every shard: the accepting invocation posts what it can itself before its
 *    deadline; every member must be delivered or counted in the dead-letter queue, and the
 *    sender (protocol 3) must hear how many were not reached (`delivery_incomplete`). That needs
 *    a room the accepting invocation cannot finish alone, so this one is larger.
 */
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_STACK_DEFAULTS } from '../../../local-stack/src/defaults.ts';
import type { InjectedFault } from '../../../local-stack/src/faults/injected-fault.ts';
import type { Progress } from '../common/progress.ts';
import { formatCount } from '../common/report.ts';
import { shardSizeEnvironment } from '../fanout/benchmark.ts';
import {
  type BroadcastRig,
  type BroadcastRound,
  startBroadcastRig,
} from '../fanout/broadcast-rig.ts';
import { type SlowEndpoint, startSlowEndpoint } from '../fanout/slow-endpoint.ts';
import type { BenchOptions } from '../options.ts';
import { takeDeadLetters } from './dead-letters.ts';

/** The faults, in the order they run. */
export const FAULTS = ['outage', 'refusedHandOffs', 'queueDown'] as const;
export type FaultName = (typeof FAULTS)[number];

/** One broadcast under a fault. */
export interface FaultRound extends BroadcastRound {
  /** Requests the fault failed: posts, or SQS entries. */
  readonly injected: number;
  /** Recipients in the dead-letter queue afterwards (a cursor's counted from the room). */
  readonly deadLettered: number;
}

/** One fault's broadcasts. */
export interface FaultRun {
  readonly fault: FaultName;
  readonly recipients: number;
  readonly rounds: readonly FaultRound[];
}

/** The whole faults benchmark. */
export interface FaultsBenchmarkResult {
  readonly roundTripMs: number;
  readonly memoryMb: number;
  readonly cpu: string;
  /** How long `@connections` answers 500 in the outage. */
  readonly outageMs: number;
  /** The function's delivery window (DELIVERY_WINDOW_SECONDS' default). */
  readonly windowMs: number;
  readonly runs: readonly FaultRun[];
}

/** SQS refuses this many attempts of every entry in the second fault. */
export const REFUSED_ATTEMPTS = 2;
const WINDOW_MS = contract.limits.deliveryWindowSeconds * 1000;
/** Beyond the window, what has not arrived counts as lost. */
const OUTAGE_TIMEOUT_MS = WINDOW_MS + 15_000;
const TIMEOUT_MS = 60_000;

/**
 * Runs the benchmark at the default memory, each fault after one broadcast without any.
 * @param options - the parsed flags
 * @param signal - Ctrl-C stops after the broadcast in progress
 * @param progress - where to report progress
 * @returns the figures, as far as the run got
 */
export async function runFaultsBenchmark(
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<FaultsBenchmarkResult> {
  const endpoint = await startSlowEndpoint(options.fanoutRoundTripMs);
  const memoryMb = LOCAL_STACK_DEFAULTS.memoryMb;
  try {
    const rig = await startBroadcastRig({ memoryMb, endpoint, env: shardSizeEnvironment(options) });
    const runs: FaultRun[] = [];
    try {
      for (const fault of FAULTS) {
        if (signal.aborted) break;
        const recipients =
          fault === 'queueDown' ? options.faultsQueueDownRecipients : options.faultsRecipients;
        await rig.fill(recipients);
        progress.log(
          `Faults: ${describeFault(fault, options.faultsOutageMs)}, ${formatCount(recipients)} recipients at ${rig.stack.cpuLimit.description}`,
        );
        // The room as it is, without a fault: warm containers, and a head count the function read.
        await rig.broadcast({ recipients, timeoutMs: TIMEOUT_MS });
        const rounds: FaultRound[] = [];
        for (let round = 0; round < options.fanoutRounds && !signal.aborted; round++) {
          rounds.push(await broadcastUnder(fault, { rig, endpoint, recipients, options }));
        }
        runs.push({ fault, recipients, rounds });
      }
      return {
        roundTripMs: options.fanoutRoundTripMs,
        memoryMb,
        cpu: rig.stack.cpuLimit.description,
        outageMs: options.faultsOutageMs,
        windowMs: WINDOW_MS,
        runs,
      };
    } finally {
      await rig.stop();
    }
  } finally {
    await endpoint.stop();
  }
}

/**
 * What a fault is, for progress lines and tables.
 * @param fault - the fault
 * @param outageMs - the outage's length
 * @returns e.g. `@connections answers 500 for 8 s`
 */
export function describeFault(fault: FaultName, outageMs: number): string {
  if (fault === 'outage') return `@connections answers 500 for ${outageMs / 1000} s`;
  if (fault === 'refusedHandOffs') {
    return `SQS refuses the first ${REFUSED_ATTEMPTS} attempts of every entry`;
  }
  return 'SQS refuses every shard';
}

/** One broadcast with the fault armed from just before the send; disarmed and counted after. */
async function broadcastUnder(
  fault: FaultName,
  setting: {
    readonly rig: BroadcastRig;
    readonly endpoint: SlowEndpoint;
    readonly recipients: number;
    readonly options: BenchOptions;
  },
): Promise<FaultRound> {
  const { rig, endpoint, recipients, options } = setting;
  const { faults } = rig.stack;
  try {
    let injected: () => number;
    let round: BroadcastRound;
    if (fault === 'outage') {
      round = await rig.broadcast({
        recipients,
        timeoutMs: OUTAGE_TIMEOUT_MS,
        beforeSend: () => endpoint.failPosts({ status: 500, forMs: options.faultsOutageMs }),
      });
      injected = () => round.failedPosts;
    } else {
      let armed: InjectedFault | undefined;
      injected = () => armed?.injected ?? 0;
      round = await rig.broadcast({
        recipients,
        timeoutMs: TIMEOUT_MS,
        beforeSend: async () => {
          armed = faults.failShardSends(
            fault === 'queueDown' ? { all: true } : { firstAttempts: REFUSED_ATTEMPTS },
          );
        },
        // With the queue down the sender hears of the rest once the accepting invocation is done.
        done: (counters) =>
          counters.delivered >= recipients ||
          counters.frames.some((frame) => frame.fields.type === 'delivery_incomplete'),
      });
    }
    const { recipients: deadLettered } = await takeDeadLetters(rig.stack);
    return { ...round, injected: injected(), deadLettered };
  } finally {
    faults.clear();
    await endpoint.clearFaults();
  }
}
