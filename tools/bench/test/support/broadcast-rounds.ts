/** Broadcast figures for the report tests of the fan-out, pushback and faults benchmarks. */
import type { BroadcastRound, BroadcastRun } from '../../src/fanout/broadcast-rig.ts';

/**
 * One broadcast that reached 1,000 recipients once each, with nothing going wrong.
 * @param lastDeliveryMs - its time to the last delivery
 * @param overrides - what differs
 * @returns the round
 */
export function broadcastRound(
  lastDeliveryMs: number,
  overrides: Partial<BroadcastRound> = {},
): BroadcastRound {
  return {
    delivered: 1000,
    duplicates: 0,
    firstDeliveryMs: 50,
    lastDeliveryMs,
    invocations: 2,
    timedOut: 0,
    throttled: 0,
    refused: 0,
    failedPosts: 0,
    cpuPerPostMs: 0.4,
    gbSeconds: 0.5,
    metrics: {},
    unreachedReported: undefined,
    ...overrides,
  };
}

/**
 * One setting's broadcasts, the first round doubling as the warm-up.
 * @param memoryMb - the memory
 * @param recipients - recipients per broadcast
 * @param rounds - the measured broadcasts
 * @returns the run
 */
export function broadcastRun(
  memoryMb: number,
  recipients: number,
  rounds: BroadcastRound[],
): BroadcastRun {
  return {
    memoryMb,
    recipients,
    cpu: `${memoryMb} MB at 0.58 vCPU (cgroup v1)`,
    cpuLimited: true,
    warmUp: rounds[0] ?? broadcastRound(2000),
    rounds,
  };
}
