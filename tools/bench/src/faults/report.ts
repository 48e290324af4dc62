/**
 * The faults benchmark's table and target checks. Pure.
 */
import type { Table, TargetCheck } from '../common/report.ts';
import { formatCount, formatMs, median } from '../common/report.ts';
import type { FaultRound, FaultRun, FaultsBenchmarkResult } from './benchmark.ts';
import { describeFault } from './benchmark.ts';

/**
 * The table: one row per fault, medians of its broadcasts.
 * @param result - the benchmark's figures
 * @returns the table, or none when no fault ran
 */
export function faultsTables(result: FaultsBenchmarkResult): Table[] {
  const runs = result.runs.filter((run) => run.rounds.length > 0);
  if (runs.length === 0) return [];
  return [
    {
      title: `Faults: broadcasts while AWS fails, at ${result.cpu}, each post answered after ${result.roundTripMs} ms: median of ${runs[0]?.rounds.length} broadcasts each`,
      headings: [
        'fault',
        'recipients',
        'delivered',
        'in the dead-letter queue',
        'accounted for',
        'sender told (unreached)',
        'failures injected',
        'to last delivery',
        'after the outage',
        'retried',
        'invocations',
        'timed out',
      ],
      rows: runs.map((run) => {
        const middle = (pick: (round: FaultRound) => number): number =>
          median(run.rounds.map(pick));
        const told = run.rounds.map((round) => round.unreachedReported);
        return [
          describeFault(run.fault, result.outageMs),
          formatCount(run.recipients),
          `${formatCount(Math.min(...run.rounds.map((round) => round.delivered)))}/${formatCount(run.recipients)}`,
          formatCount(middle((round) => round.deadLettered)),
          `${formatCount(Math.min(...run.rounds.map((round) => round.delivered + round.deadLettered)))}/${formatCount(run.recipients)}`,
          told.every((unreached) => unreached === undefined)
            ? 'no'
            : formatCount(median(told.map((unreached) => unreached ?? 0))),
          formatCount(middle((round) => round.injected)),
          formatMs(middle((round) => round.lastDeliveryMs)),
          run.fault === 'outage'
            ? formatMs(middle((round) => round.lastDeliveryMs) - result.outageMs)
            : '-',
          formatCount(middle((round) => round.metrics.Retried ?? 0)),
          formatCount(middle((round) => round.invocations)),
          formatCount(Math.max(...run.rounds.map((round) => round.timedOut))),
        ];
      }),
      notes: [
        'delivered: the fewest members any broadcast reached; in the dead-letter queue: recipients of the records the function put there (a cursor counted from the room), median; accounted for: the fewest delivered or dead-lettered of any broadcast',
        "failures injected: posts answered 500, or SQS entries refused; retried: the function's metric (recipients queued to try again later)",
        `after the outage: the last delivery's time less the outage's ${formatMs(result.outageMs)}; the delivery window is ${formatMs(result.windowMs)}`,
      ],
    },
  ];
}

/**
 * Checks the figures against the targets (docs/benchmarks.md, "Targets"); all decide.
 * @param result - the benchmark's figures
 * @returns one check per fault that ran
 */
export function checkFaultsTargets(result: FaultsBenchmarkResult): TargetCheck[] {
  return result.runs
    .filter((run) => run.rounds.length > 0)
    .map((run) => ({ ...checkFault(run, result), decides: true }));
}

function checkFault(run: FaultRun, result: FaultsBenchmarkResult): Omit<TargetCheck, 'decides'> {
  const { rounds, recipients } = run;
  const count = `over ${rounds.length} broadcasts`;
  const least = (pick: (round: FaultRound) => number): number => Math.min(...rounds.map(pick));
  const most = (pick: (round: FaultRound) => number): number => Math.max(...rounds.map(pick));
  const struck = least((round) => round.injected) > 0;
  const name = `faults: ${describeFault(run.fault, result.outageMs)}`;
  if (run.fault === 'queueDown') {
    const accounted = rounds.every(
      (round) =>
        round.deadLettered > 0 &&
        round.delivered + round.deadLettered === recipients &&
        round.unreachedReported === round.deadLettered,
    );
    return {
      description: `${name}: every member delivered or counted in the dead-letter queue, the sender told how many`,
      met: struck && accounted,
      measured: rounds
        .map(
          (round) =>
            `${formatCount(round.delivered)} delivered + ${formatCount(round.deadLettered)} dead-lettered of ${formatCount(recipients)}, sender told ${round.unreachedReported === undefined ? 'nothing' : formatCount(round.unreachedReported)}`,
        )
        .join('; '),
    };
  }
  const lost = most((round) => recipients - round.delivered);
  const deadLettered = most((round) => round.deadLettered);
  const last = most((round) => round.lastDeliveryMs);
  const inWindow = run.fault !== 'outage' || last <= result.windowMs;
  return {
    description:
      run.fault === 'outage'
        ? `${name}: every member reached after it ends, inside the ${formatMs(result.windowMs)} window`
        : `${name}: every member reached`,
    met: struck && lost === 0 && deadLettered === 0 && inWindow,
    measured: `${lost} lost, ${deadLettered} dead-lettered, last delivery at most ${formatMs(last)}, ${formatCount(least((round) => round.injected))}+ failures injected ${count}`,
  };
}
