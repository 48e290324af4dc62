/**
 * The fan-out benchmark's table, target checks and the concurrency it recommends. Pure.
 */

import type { Table, TargetCheck } from '../shared/report.ts';
import { formatCount, formatMs } from '../shared/report.ts';
import type { FanoutBenchmarkResult, FanoutRun } from './benchmark.ts';

/** The targets and their reasons: README, "Benchmarks", "Targets". */
export const FANOUT_TARGETS = {
  maxRatioToIdeal: 1.3,
  integrationTimeoutMs: 29_000,
} as const;

/**
 * Builds the fan-out table, one row per concurrency setting.
 * @param result - the benchmark's figures
 * @returns the table, the backend's default marked
 */
export function fanoutTable(result: FanoutBenchmarkResult): Table {
  const recommended = recommendConcurrency(result.runs);
  return {
    title: `Fan-out: ${formatCount(result.connections)} posts, each answered after ${result.delayMs} ms`,
    headings: ['concurrency', 'delivered', 'time', 'ideal', 'vs ideal', 'peak in flight'],
    rows: result.runs.map((run) => [
      `${run.concurrency}${isDefault(run, result) ? ' (default)' : ''}`,
      `${formatCount(run.delivered)}/${formatCount(result.connections)}`,
      formatMs(run.wallMs),
      formatMs(run.idealMs),
      `${run.ratioToIdeal.toFixed(2)}x`,
      formatCount(run.peakInFlight),
    ]),
    notes: [
      'ideal = posts x delay / concurrency; peak in flight is counted by the endpoint',
      "client: the Lambda's own createManagementClient (sockets = concurrency); ids fed directly, no Scan",
      recommended === undefined
        ? `no setting came within ${FANOUT_TARGETS.maxRatioToIdeal}x of ideal`
        : `fastest setting within ${FANOUT_TARGETS.maxRatioToIdeal}x of ideal: ${recommended.concurrency}`,
    ],
  };
}

/**
 * Chooses the concurrency to recommend: the fastest setting that is still within the ratio
 * target and really reached its concurrency (peak in flight), i.e. where more parallelism still
 * pays off before the machine, not the endpoint's delay, sets the pace.
 * @param runs - the measured settings
 * @returns the recommended run, or undefined when none meets the ratio target
 */
export function recommendConcurrency(runs: readonly FanoutRun[]): FanoutRun | undefined {
  const good = runs.filter(
    (run) =>
      run.failed === 0 &&
      run.ratioToIdeal <= FANOUT_TARGETS.maxRatioToIdeal &&
      run.peakInFlight >= run.concurrency,
  );
  return good.reduce<FanoutRun | undefined>(
    (best, run) => (best === undefined || run.wallMs < best.wallMs ? run : best),
    undefined,
  );
}

/**
 * Checks the backend's default concurrency against the targets.
 * @param result - the benchmark's figures
 * @returns the checks; none when the default setting did not run (Ctrl-C)
 */
export function checkFanoutTargets(result: FanoutBenchmarkResult): TargetCheck[] {
  const run = result.runs.find((candidate) => isDefault(candidate, result));
  if (run === undefined) return [];
  return [
    {
      description: `fan-out within ${FANOUT_TARGETS.maxRatioToIdeal}x of ideal at the default concurrency ${run.concurrency}`,
      met: run.ratioToIdeal <= FANOUT_TARGETS.maxRatioToIdeal && run.failed === 0,
      measured: `${run.ratioToIdeal.toFixed(2)}x (${formatMs(run.wallMs)} vs ${formatMs(run.idealMs)})`,
    },
    {
      description: `fan-out of ${formatCount(result.connections)} inside the ${FANOUT_TARGETS.integrationTimeoutMs / 1000} s integration timeout`,
      met: run.wallMs < FANOUT_TARGETS.integrationTimeoutMs,
      measured: formatMs(run.wallMs),
    },
  ];
}

function isDefault(run: FanoutRun, result: FanoutBenchmarkResult): boolean {
  return run.concurrency === result.defaultConcurrency;
}
