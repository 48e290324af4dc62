/**
 * Tables and target checks for the load benchmark's results. Pure: results in, tables out.
 */

import type { Table, TargetCheck } from '../common/report.ts';
import { formatCount, formatMegabytes, formatMs, formatRatio } from '../common/report.ts';
import type { LoadBenchmarkResult, LoadTargetName, LoadTargetResult } from './benchmark.ts';
import type { LoadRunResult } from './generator.ts';

/** The targets and their reasons: docs/benchmarks.md, "Targets". */
export const LOAD_TARGETS = {
  clients: 1000,
  maxMedianMs: 1000,
  maxIdleRssBytes: 250 * 1024 * 1024,
  maxRatioToNaive: 0.5,
} as const;

const TARGET_LABELS: Record<LoadTargetName, string> = {
  bare: 'bare ws (lower bound)',
  naive: 'naive handler',
  stack: 'local stack',
  deployed: 'deployed stack',
};

/**
 * Builds the latency and the connection/memory tables of one client count.
 * @param result - the benchmark's figures at that count
 * @returns the tables, latency first
 */
export function loadTables(result: LoadBenchmarkResult): Table[] {
  const baseline = result.targets.find((target) => target.target === 'bare');
  const naive = result.targets.find((target) => target.target === 'naive');
  const latency: Table = {
    title: `Load: ${formatCount(result.clients)} clients; time until one message reached every other client`,
    headings: [
      'server',
      'messages',
      'median',
      'p95',
      'p99',
      'max',
      'lost',
      'duplicated',
      'median vs bare',
      'p95 vs bare',
      'median vs naive',
    ],
    rows: result.targets.map((target) => {
      const { allReceived, delivery } = target.run;
      // Nothing measured (Ctrl-C before the first message): no figure rather than a fake 0 ms.
      const measured = allReceived.count > 0;
      const ms = (value: number): string => (measured ? formatMs(value) : '-');
      const ratio = (value: number, base: number | undefined): string =>
        !measured ? '-' : target === baseline ? '1.0x' : formatRatio(value, base);
      return [
        TARGET_LABELS[target.target],
        `${delivery.messagesComplete}/${delivery.messagesSent}`,
        ms(allReceived.medianMs),
        ms(allReceived.p95Ms),
        ms(allReceived.p99Ms),
        ms(allReceived.maxMs),
        formatCount(delivery.receiptsLost),
        formatCount(delivery.receiptsDuplicated + delivery.receiptsBySender),
        ratio(allReceived.medianMs, baseline?.run.allReceived.medianMs),
        ratio(allReceived.p95Ms, baseline?.run.allReceived.p95Ms),
        measured && target !== baseline
          ? formatRatio(allReceived.medianMs, naive?.run.allReceived.medianMs)
          : '-',
      ];
    }),
    notes: [
      'lost = receipts missing after the message timeout; duplicated includes a sender receiving its own message',
      ...countNotes(result.targets, (run) => [
        [run.messagesInterrupted, 'message(s) cut short by Ctrl-C, left out'],
        [run.otherFrames, 'frames that were not chat messages'],
        [run.delivery.receiptsUnknown, 'receipts of messages never sent'],
      ]),
    ],
  };
  const connections: Table = {
    title: `Load: ${formatCount(result.clients)} clients; connections and the server's memory (RSS of its process tree)`,
    headings: [
      'server',
      'connected',
      'failed',
      'handshake median',
      'handshake p95',
      'all connected in',
      'RSS idle',
      'of which Lambda containers',
      'RSS peak',
      'peak vs bare',
    ],
    rows: result.targets.map((target) => {
      const { run } = target;
      return [
        TARGET_LABELS[target.target],
        formatCount(run.clientsConnected),
        formatCount(run.connectFailures),
        run.connectTime.count > 0 ? formatMs(run.connectTime.medianMs) : '-',
        run.connectTime.count > 0 ? formatMs(run.connectTime.p95Ms) : '-',
        formatMs(run.connectWallMs),
        formatMegabytes(target.idleRssBytes),
        target.idleContainers === undefined || target.idleContainers.count === 0
          ? '-'
          : `${formatMegabytes(target.idleContainers.bytes)} (${target.idleContainers.count})`,
        formatMegabytes(target.peakRssBytes),
        target === baseline
          ? '1.0x'
          : formatRatio(target.peakRssBytes ?? Number.NaN, baseline?.peakRssBytes),
      ];
    }),
    notes: countNotes(result.targets, (run) => [
      ...Object.entries(run.connectFailureReasons).map(
        ([reason, count]) => [count, `x ${reason}`] as const,
      ),
      [run.unexpectedCloses, 'clients closed by the server'],
    ]),
  };
  return [latency, connections];
}

/**
 * Builds the latency-against-clients table of a `--sweep`.
 * @param results - one result per client count
 * @returns the table
 */
export function sweepTable(results: readonly LoadBenchmarkResult[]): Table {
  return {
    title: 'Load sweep: median (p95) time until one message reached every other client',
    headings: [
      'clients',
      'local stack',
      'naive handler',
      'bare ws',
      'stack vs naive',
      'stack vs bare',
      'lost',
      'stack RSS peak',
    ],
    rows: results.map((result) => {
      const find = (name: LoadTargetName): LoadTargetResult | undefined =>
        result.targets.find((target) => target.target === name);
      const stack = find('stack') ?? find('deployed');
      const [naive, bare] = [find('naive'), find('bare')];
      const stackMedian = stack?.run.allReceived.medianMs ?? Number.NaN;
      const cell = (target: LoadTargetResult | undefined): string =>
        target === undefined
          ? '-'
          : `${formatMs(target.run.allReceived.medianMs)} (${formatMs(target.run.allReceived.p95Ms)})`;
      return [
        formatCount(result.clients),
        cell(stack),
        cell(naive),
        cell(bare),
        formatRatio(stackMedian, naive?.run.allReceived.medianMs),
        formatRatio(stackMedian, bare?.run.allReceived.medianMs),
        formatCount(stack?.run.delivery.receiptsLost ?? 0),
        formatMegabytes(stack?.peakRssBytes),
      ];
    }),
  };
}

/**
 * Checks the local stack's figures against the targets, where this run can tell.
 * @param result - figures at one client count
 * @returns one check per applicable target (none for the baseline or a deployed stack)
 */
export function checkLoadTargets(result: LoadBenchmarkResult): TargetCheck[] {
  const stack = result.targets.find((target) => target.target === 'stack');
  if (stack === undefined || stack.run.delivery.messagesSent === 0) return [];
  const { delivery, allReceived } = stack.run;
  const checks: TargetCheck[] = [
    {
      description: `nothing lost or duplicated with ${formatCount(result.clients)} clients`,
      met:
        delivery.receiptsLost === 0 &&
        delivery.receiptsDuplicated === 0 &&
        delivery.receiptsBySender === 0 &&
        stack.run.connectFailures === 0,
      measured: `${delivery.receiptsLost} lost, ${delivery.receiptsDuplicated + delivery.receiptsBySender} duplicated, ${stack.run.connectFailures} connect failures`,
      decides: true,
    },
  ];
  // The speed and memory targets are stated for exactly 1,000 clients; other counts are context.
  if (result.clients !== LOAD_TARGETS.clients) return checks;
  // A median over no completed message is no evidence of speed.
  const median = allReceived.count > 0 ? allReceived.medianMs : undefined;
  const unmeasured = 'no message reached everyone';
  checks.push({
    description: `median <= ${formatMs(LOAD_TARGETS.maxMedianMs)} with ${formatCount(result.clients)} clients`,
    met: median !== undefined && median <= LOAD_TARGETS.maxMedianMs,
    measured: median === undefined ? unmeasured : formatMs(median),
  });
  const naive = result.targets.find((target) => target.target === 'naive')?.run.allReceived;
  if (naive !== undefined && naive.count > 0) {
    const ratio = (median ?? Number.NaN) / naive.medianMs;
    checks.push({
      description: `median <= ${LOAD_TARGETS.maxRatioToNaive}x the naive handler's with ${formatCount(result.clients)} clients`,
      met: ratio <= LOAD_TARGETS.maxRatioToNaive,
      measured:
        median === undefined
          ? unmeasured
          : `${ratio.toFixed(2)}x (${formatMs(median)} vs ${formatMs(naive.medianMs)})`,
    });
  }
  if (stack.idleRssBytes !== undefined) {
    // The Lambda containers are separate processes, each a runtime of its own, as on Lambda;
    // `--concurrency` bounds how many there are. The target is the stack that serves them.
    const containers = stack.idleContainers ?? { count: 0, bytes: 0 };
    const own = stack.idleRssBytes - containers.bytes;
    checks.push({
      description: `stack RSS without its Lambda containers < ${formatMegabytes(LOAD_TARGETS.maxIdleRssBytes)} with ${formatCount(result.clients)} idle connections`,
      met: own < LOAD_TARGETS.maxIdleRssBytes,
      measured: `${formatMegabytes(own)} (+ ${containers.count} containers, ${formatMegabytes(containers.bytes)})`,
    });
  }
  return checks;
}

/** One note, `label: count text`, for every server and each of its counts above zero. */
function countNotes(
  targets: readonly LoadTargetResult[],
  counts: (run: LoadRunResult) => readonly (readonly [number, string])[],
): string[] {
  return targets.flatMap(({ target, run }) =>
    counts(run)
      .filter(([count]) => count > 0)
      .map(([count, text]) => `${TARGET_LABELS[target]}: ${count} ${text}`),
  );
}
