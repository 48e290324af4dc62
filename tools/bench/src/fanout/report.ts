/**
 * The fan-out benchmark's tables and target checks. Pure.
 */
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { Table, TargetCheck } from '../common/report.ts';
import { formatCount, formatMs, median, sum } from '../common/report.ts';
import type { FanoutBenchmarkResult } from './benchmark.ts';
import type { BroadcastRound, BroadcastRun } from './broadcast-rig.ts';

/** The targets and their reasons: docs/benchmarks.md, "Targets". */
export const FANOUT_TARGETS = {
  /** CPU one post may cost on the broadcast's path, at this machine's full CPU. */
  maxCpuPerPostMs: 0.5,
  /** Time to the last delivery at the default memory, by recipient count. */
  maxLastDeliveryMs: { 1000: 1500, 10000: 5000 } as Readonly<Record<number, number>>,
} as const;

/**
 * The tables: CPU per post by path, then one row per memory size and recipient count.
 * @param result - the benchmark's figures
 * @returns the tables
 */
export function fanoutTables(result: FanoutBenchmarkResult): Table[] {
  const sdk = result.posters.find((poster) => poster.path === 'sdk');
  const tables: Table[] = [
    {
      title: 'Fan-out: CPU per PostToConnection at full CPU',
      headings: ['path', 'CPU per post', 'vs SDK command'],
      rows: result.posters.map((poster) => [
        poster.path === 'sdk'
          ? 'SDK command (PostToConnectionCommand)'
          : 'signed request (broadcasts)',
        `${poster.cpuPerPostMs.toFixed(3)} ms`,
        sdk === undefined ? '-' : `${(poster.cpuPerPostMs / sdk.cpuPerPostMs).toFixed(2)}x`,
      ]),
      notes: [
        `median of 3 rounds of ${formatCount(result.posters[0]?.postsPerRound ?? 0)} posts each, taking turns, after a warm-up round`,
      ],
    },
  ];
  if (result.broadcasts.length > 0) {
    tables.push({
      title: `Fan-out at Lambda's CPU share, each post answered after ${result.roundTripMs} ms: median of the measured broadcasts`,
      headings: [
        'memory',
        'recipients',
        'delivered',
        'duplicates',
        'to last delivery',
        'first (cold)',
        'invocations',
        'timed out',
        'CPU per post',
        'GB-s per broadcast',
      ],
      rows: result.broadcasts.map((run) => {
        const figures = roundFigures(run);
        return [
          `${run.memoryMb} MB${run.memoryMb === result.defaultMemoryMb ? ' (default)' : ''}`,
          formatCount(run.recipients),
          figures.delivered,
          figures.duplicates,
          figures.lastDelivery,
          formatMs(run.warmUp.lastDeliveryMs),
          figures.invocations,
          figures.timedOut,
          figures.cpuPerPost,
          figures.gbSeconds,
        ];
      }),
      notes: [
        ...new Set(result.broadcasts.map((run) => `containers: ${run.cpu}`)),
        'delivered: the fewest recipients any measured broadcast reached; duplicates: the most posts a recipient got twice',
        "CPU per post: the containers' CPU (reading the room and handing off shards included) per post",
        `the function paces its posts to its default callback budget (CALLBACK_RATE_LIMIT, ${formatCount(contract.limits.callbackRateLimit)}/s), so N recipients take at least N / ${formatCount(contract.limits.callbackRateLimit)} s; no account throttle stands in front of the endpoint`,
      ],
    });
  }
  return tables;
}

/**
 * Checks the figures against the targets (docs/benchmarks.md, "Targets").
 * @param result - the benchmark's figures
 * @returns one check per target that was measured
 */
export function checkFanoutTargets(result: FanoutBenchmarkResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const signed = result.posters.find((poster) => poster.path === 'signed');
  if (signed !== undefined) {
    checks.push({
      description: `CPU per post on the broadcast's path at most ${FANOUT_TARGETS.maxCpuPerPostMs} ms`,
      met: signed.cpuPerPostMs <= FANOUT_TARGETS.maxCpuPerPostMs,
      measured: `${signed.cpuPerPostMs.toFixed(3)} ms`,
    });
  }
  for (const run of result.broadcasts.filter(
    (candidate) => candidate.memoryMb === result.defaultMemoryMb,
  )) {
    checks.push(...checkBroadcast(run));
  }
  return checks;
}

/**
 * A run's broadcasts: all of them (the warm-up too, for what must never happen in any), and the
 * measured ones (the warm-up alone when none was measured), which the figures are medians of.
 * @param run - one setting's broadcasts
 * @returns both lists
 */
export function everyRound(run: BroadcastRun): {
  all: readonly BroadcastRound[];
  measured: readonly BroadcastRound[];
} {
  return {
    all: [run.warmUp, ...run.rounds],
    measured: run.rounds.length > 0 ? run.rounds : [run.warmUp],
  };
}

/** The cells every broadcast table shows of a run, formatted. */
export interface RoundFigures {
  /** The fewest recipients any measured broadcast reached, of all. */
  readonly delivered: string;
  /** The most posts of a measured broadcast that a recipient already had. */
  readonly duplicates: string;
  /** Medians of the measured broadcasts. */
  readonly lastDelivery: string;
  readonly invocations: string;
  readonly cpuPerPost: string;
  readonly gbSeconds: string;
  /** The most invocations of any broadcast (the warm-up too) that timed out. */
  readonly timedOut: string;
}

/**
 * Formats what every broadcast table shows of a run.
 * @param run - one setting's broadcasts
 * @returns its cells
 */
export function roundFigures(run: BroadcastRun): RoundFigures {
  const { all, measured } = everyRound(run);
  const middle = (pick: (round: BroadcastRound) => number): number => median(measured.map(pick));
  return {
    delivered: `${formatCount(Math.min(...measured.map((round) => round.delivered)))}/${formatCount(run.recipients)}`,
    duplicates: formatCount(Math.max(...measured.map((round) => round.duplicates))),
    lastDelivery: formatMs(middle((round) => round.lastDeliveryMs)),
    invocations: formatCount(middle((round) => round.invocations)),
    cpuPerPost: `${middle((round) => round.cpuPerPostMs).toFixed(2)} ms`,
    gbSeconds: middle((round) => round.gbSeconds).toFixed(3),
    timedOut: formatCount(Math.max(...all.map((round) => round.timedOut))),
  };
}

function checkBroadcast(run: BroadcastRun): TargetCheck[] {
  const { all } = everyRound(run);
  const lost = Math.max(...all.map((round) => run.recipients - round.delivered));
  const duplicates = Math.max(...all.map((round) => round.duplicates));
  const timedOut = sum(all.map((round) => round.timedOut));
  const checks: TargetCheck[] = [
    {
      description: `fan-out to ${formatCount(run.recipients)} at ${run.memoryMb} MB: nothing lost, nothing twice, no invocation timed out`,
      met: lost === 0 && duplicates === 0 && timedOut === 0,
      measured: `${lost} lost, ${duplicates} duplicated, ${timedOut} timed out over ${all.length} broadcasts`,
      decides: true,
    },
  ];
  const limit = FANOUT_TARGETS.maxLastDeliveryMs[run.recipients];
  if (limit !== undefined && run.rounds.length > 0) {
    const last = median(run.rounds.map((round) => round.lastDeliveryMs));
    checks.push({
      description: `fan-out to ${formatCount(run.recipients)} at ${run.memoryMb} MB, all delivered within ${formatMs(limit)}`,
      met: last <= limit && lost === 0,
      measured: `${formatMs(last)} (median)`,
    });
  }
  return checks;
}
