/**
 * The pushback benchmark's tables and target checks, and the 100,000-member projection's. Pure.
 */

import type { Table, TargetCheck } from '../common/report.ts';
import { formatCount, formatMs, formatRatio, median } from '../common/report.ts';
import { everyRound, roundFigures } from '../fanout/report.ts';
import type { PushbackBenchmarkResult, ThrottledRun } from './benchmark.ts';
import {
  ACCOUNT_QUOTA_PER_SECOND,
  PROJECTED_MEMBERS,
  PROJECTED_SETTINGS,
  PROJECTED_TARGET_MS,
  type ProjectedBroadcast,
  type ProjectionInputs,
  projectBroadcast,
  projectionInputs,
} from './projection.ts';

/** The targets and their reasons: docs/benchmarks.md, "Targets". */
export const PUSHBACK_TARGETS = {
  /** The last delivery may come this many times the budget's floor (N / budget) after the send. */
  maxTimeOverFloor: 1.15,
} as const;

/**
 * The tables: the throttled broadcasts against their floors, then the projection's inputs and
 * the projected settings.
 * @param result - the benchmark's figures
 * @param sendConcurrency - posts each invocation keeps in flight
 * @returns the tables
 */
export function pushbackTables(result: PushbackBenchmarkResult, sendConcurrency: number): Table[] {
  const tables: Table[] = [];
  if (result.runs.length > 0) tables.push(throttledTable(result));
  const inputs = projectionInputs(result, sendConcurrency);
  if (inputs !== undefined) tables.push(inputsTable(inputs), projectionTable(inputs));
  return tables;
}

function throttledTable(result: PushbackBenchmarkResult): Table {
  const first = result.runs[0] as ThrottledRun;
  return {
    title: `Pushback: ${formatCount(first.recipients)} recipients against the account's callback budget, each post answered after ${result.roundTripMs} ms: median of the measured broadcasts`,
    headings: [
      'budget',
      'models',
      'delivered',
      'duplicates',
      'floor (N / budget)',
      'to last delivery',
      'vs floor',
      'refused (429)',
      'throttled',
      'retried',
      'invocations',
      'timed out',
      'GB-s per broadcast',
    ],
    rows: result.runs.map((run) => {
      const figures = roundFigures(run);
      const rounds = everyRound(run).measured;
      const metric = (name: string): string =>
        formatCount(median(rounds.map((round) => round.metrics[name] ?? 0)));
      return [
        `${formatCount(run.budget)}/s${run.accountThrottle ? '' : ' (function only)'}`,
        run.accountThrottle
          ? `${formatCount(PROJECTED_MEMBERS)} at ${formatCount(Math.round((run.budget * PROJECTED_MEMBERS) / run.recipients))}/s`
          : '-',
        figures.delivered,
        figures.duplicates,
        formatMs(floorMs(run)),
        figures.lastDelivery,
        formatRatio(median(rounds.map((round) => round.lastDeliveryMs)), floorMs(run)),
        formatCount(median(rounds.map((round) => round.refused))),
        metric('Throttled'),
        metric('Retried'),
        figures.invocations,
        figures.timedOut,
        figures.gbSeconds,
      ];
    }),
    notes: [
      ...new Set(result.runs.map((run) => `containers: ${run.cpu}`)),
      "budget: the endpoint's account throttle (the local stack's --callback-rate: that many posts a second, burst half that) and the function's CALLBACK_RATE_LIMIT, both; function only: the function's default budget and no account throttle, the reference for the workers' CPU",
      `models: the same broadcast at ${formatCount(Math.round(PROJECTED_MEMBERS / first.recipients))} times the scale, with the same floor`,
      "floor: the baseline, the least time the budget allows; refused: posts the account throttle answered 429; throttled, retried: the function's metrics (429s it saw, recipients it queued to retry)",
    ],
  };
}

function inputsTable(inputs: ProjectionInputs): Table {
  const measured = `the ${formatCount(inputs.recipients)}-member run at ${formatCount(inputs.measuredAtBudget)}/s, function only`;
  return {
    title: `Pushback: what the ${formatCount(PROJECTED_MEMBERS)}-member projection starts from`,
    headings: ['input', 'value', 'from'],
    rows: [
      ['CPU per post at the CPU share', `${inputs.cpuPerPostMs.toFixed(2)} ms`, measured],
      ['first delivery after the send', formatMs(inputs.firstDeliveryMs), measured],
      ...inputs.paced.map((run): string[] => [
        `time at ${formatCount(run.modelledBudget)}/s`,
        formatMs(run.timeMs),
        `the run at ${formatCount(run.measuredBudget)}/s`,
      ]),
      ['posts in flight per invocation', formatCount(inputs.sendConcurrency), 'SEND_CONCURRENCY'],
      ['round trip of a post', formatMs(inputs.roundTripMs), '--fanout-round-trip-ms'],
      ['account quota', `${formatCount(ACCOUNT_QUOTA_PER_SECOND)}/s`, 'API Gateway default'],
    ],
  };
}

function projectionTable(inputs: ProjectionInputs): Table {
  return {
    title: `Pushback: ${formatCount(PROJECTED_MEMBERS)} members, projected (floor ${formatMs(floorOfQuota())} at the account's ${formatCount(ACCOUNT_QUOTA_PER_SECOND)}/s)`,
    headings: [
      'callback_rate_limit',
      'memory',
      'mapping concurrency',
      'one worker',
      'all workers',
      'bound by',
      'projected time',
      'vs 10 s floor',
      'GB-s',
      'Lambda cost',
    ],
    rows: PROJECTED_SETTINGS.map((setting, index) => {
      const projected = projectBroadcast(inputs, setting);
      return [
        `${formatCount(setting.budget)}/s${index === 0 ? ' (default)' : ''}`,
        `${formatCount(setting.memoryMb)} MB`,
        formatCount(setting.mappingConcurrency),
        `${formatCount(Math.round(projected.workerRate))}/s`,
        `${formatCount(Math.round(projected.workersRate))}/s`,
        projected.boundBy,
        formatMs(projected.timeMs),
        formatRatio(projected.timeMs, floorOfQuota()),
        projected.gbSeconds.toFixed(1),
        `$${projected.lambdaCost.toFixed(5)}`,
      ];
    }),
    notes: [
      'one worker: the fewer of its CPU share / CPU per post and posts in flight / round trip; all workers: times the mapping concurrency',
      'projected time: the slower of the budget (the measured run of the same floor, else the worst measured time-to-floor ratio) and the first delivery plus the members over all workers',
      "GB-s: every worker and the accepting invocation billed for the whole broadcast, at arm64's $0.0000133334 per GB-second; API Gateway's $1.00 per million messages adds $0.10 whatever the setting",
    ],
  };
}

/**
 * Checks the figures against the targets (docs/benchmarks.md, "Targets").
 * @param result - the benchmark's figures
 * @param sendConcurrency - posts each invocation keeps in flight
 * @returns per budget: exactly once without timeouts, and within 1.15x of the floor; and the
 *   projection's
 */
export function checkPushbackTargets(
  result: PushbackBenchmarkResult,
  sendConcurrency: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const run of result.runs) {
    const { all, measured } = everyRound(run);
    const lost = Math.max(...all.map((round) => run.recipients - round.delivered));
    const duplicates = Math.max(...all.map((round) => round.duplicates));
    const timedOut = all.reduce((total, round) => total + round.timedOut, 0);
    const name = `pushback: ${formatCount(run.recipients)} against ${formatCount(run.budget)}/s${run.accountThrottle ? '' : ', function only'}`;
    checks.push({
      description: `${name}: every member exactly once, no invocation timed out`,
      met: lost === 0 && duplicates === 0 && timedOut === 0,
      measured: `${lost} lost, ${duplicates} duplicated, ${timedOut} timed out over ${all.length} broadcasts`,
      decides: true,
    });
    if (measured.length === 0 || !run.accountThrottle) continue;
    const limit = floorMs(run) * PUSHBACK_TARGETS.maxTimeOverFloor;
    const last = median(measured.map((round) => round.lastDeliveryMs));
    checks.push({
      description: `${name}: last delivery within ${PUSHBACK_TARGETS.maxTimeOverFloor}x the floor (${formatMs(limit)})`,
      met: last <= limit && lost === 0,
      measured: `${formatMs(last)} (median), ${formatRatio(last, floorMs(run))} the floor`,
      decides: true,
    });
  }
  const inputs = projectionInputs(result, sendConcurrency);
  if (inputs !== undefined) checks.push(...checkProjection(inputs));
  return checks;
}

/**
 * The projection's verdicts: the default settings against 12 s, reported; and some setting
 * reaching 100,000 members within 12 s, named, which decides (the docs say which one).
 */
function checkProjection(inputs: ProjectionInputs): TargetCheck[] {
  const projected = PROJECTED_SETTINGS.map((setting) => projectBroadcast(inputs, setting));
  const [defaults] = projected as [ProjectedBroadcast];
  const within = projected.filter((candidate) => candidate.timeMs <= PROJECTED_TARGET_MS);
  const cheapest = within.toSorted((a, b) => a.gbSeconds - b.gbSeconds)[0];
  const target = `${formatCount(PROJECTED_MEMBERS)} members within ${formatMs(PROJECTED_TARGET_MS)} (projected)`;
  return [
    {
      description: `pushback: ${target} at the default settings`,
      met: defaults.timeMs <= PROJECTED_TARGET_MS,
      measured: `${formatMs(defaults.timeMs)}, bound by the ${defaults.boundBy}`,
    },
    {
      description: `pushback: ${target} at the defaults or a setting named here`,
      met: cheapest !== undefined,
      measured:
        cheapest === undefined
          ? 'no setting shown reaches it'
          : `${describeSetting(cheapest)}: ${formatMs(cheapest.timeMs)}, ${cheapest.gbSeconds.toFixed(1)} GB-s ($${cheapest.lambdaCost.toFixed(5)})`,
      decides: true,
    },
  ];
}

function describeSetting(projected: ProjectedBroadcast): string {
  const { budget, memoryMb, mappingConcurrency } = projected.setting;
  return `callback_rate_limit ${formatCount(budget)}, ${formatCount(memoryMb)} MB, mapping concurrency ${mappingConcurrency}`;
}

function floorMs(run: ThrottledRun): number {
  return (run.recipients / run.budget) * 1000;
}

function floorOfQuota(): number {
  return (PROJECTED_MEMBERS / ACCOUNT_QUOTA_PER_SECOND) * 1000;
}
