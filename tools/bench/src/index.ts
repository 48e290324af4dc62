/**
 * `npm run bench`: the one entry point for every benchmark. Parses the flags, runs the selected
 * benchmarks in order, prints readable tables (or one JSON document with `--json`; with
 * `--markdown` also writes them to docs/benchmark-figures.md), and on Ctrl-C stops cleanly and
 * prints whatever was measured so far.
 */
import { cpus, totalmem } from 'node:os';
import { DEFAULT_SEND_CONCURRENCY } from '../../../backend/src/config.ts';
import { runCommand } from '../../../scripts/lib/command.ts';
import type { ColdStartResult } from './coldstart/benchmark.ts';
import { runColdStartBenchmark } from './coldstart/benchmark.ts';
import { checkColdStartTargets, coldStartTables } from './coldstart/report.ts';
import type { FiguresSection } from './common/figures-file.ts';
import {
  benchCommand,
  describeMachine,
  sectionMarkdown,
  writeFiguresFile,
} from './common/figures-file.ts';
import { createProgress } from './common/progress.ts';
import type { Table, TargetCheck } from './common/report.ts';
import { renderMarkdownTable, renderTextTable } from './common/report.ts';
import type { FanoutBenchmarkResult } from './fanout/benchmark.ts';
import { runFanoutBenchmark } from './fanout/benchmark.ts';
import { checkFanoutTargets, fanoutTables } from './fanout/report.ts';
import type { FaultsBenchmarkResult } from './faults/benchmark.ts';
import { runFaultsBenchmark } from './faults/benchmark.ts';
import { checkFaultsTargets, faultsTables } from './faults/report.ts';
import type { LoadBenchmarkResult } from './load/benchmark.ts';
import { runLoadBenchmark } from './load/benchmark.ts';
import { checkLoadTargets, loadTables, sweepTable } from './load/report.ts';
import type { BenchmarkName, BenchOptions } from './options.ts';
import { HELP_TEXT, parseBenchOptions } from './options.ts';
import type { PushbackBenchmarkResult } from './pushback/benchmark.ts';
import { runPushbackBenchmark } from './pushback/benchmark.ts';
import { checkPushbackTargets, pushbackTables } from './pushback/report.ts';
import type { RoomsBenchmarkResult } from './rooms/benchmark.ts';
import { runRoomsBenchmark } from './rooms/benchmark.ts';
import { checkRoomsTargets, roomsTables } from './rooms/report.ts';

/** Where `--markdown` writes the figures: the one file the docs link to for them. */
const FIGURES_FILE = new URL('../../../docs/benchmark-figures.md', import.meta.url);

/** Everything one `npm run bench` measured; also the `--json` document. */
interface BenchResults {
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryBytes: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly startedAt: string;
  readonly options: BenchOptions;
  readonly load: LoadBenchmarkResult[];
  fanout: FanoutBenchmarkResult | undefined;
  pushback: PushbackBenchmarkResult | undefined;
  faults: FaultsBenchmarkResult | undefined;
  rooms: RoomsBenchmarkResult | undefined;
  coldStart: ColdStartResult | undefined;
  readonly errors: { benchmark: BenchmarkName; message: string }[];
  aborted: boolean;
}

/** What one run shares: its options, where progress goes, Ctrl-C, and the figures so far. */
interface BenchRun {
  readonly options: BenchOptions;
  readonly progress: ReturnType<typeof createProgress>;
  readonly signal: AbortSignal;
  readonly results: BenchResults;
}

const exitCode = await runCommand(
  { name: 'npm run bench', usageHint: "Run 'npm run bench -- --help' for the flags." },
  () => main(process.argv.slice(2)),
);
// Exit even if a benchmark left a socket or timer behind: the report is out.
process.exit(exitCode);

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    await writeOut(`${HELP_TEXT}\n`);
    return 0;
  }

  const progress = createProgress();
  const controller = stopOnCtrlC(progress);
  const results: BenchResults = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    startedAt: new Date().toISOString(),
    options,
    load: [],
    fanout: undefined,
    pushback: undefined,
    faults: undefined,
    rooms: undefined,
    coldStart: undefined,
    errors: [],
    aborted: false,
  };
  const run: BenchRun = { options, progress, signal: controller.signal, results };

  progress.log(
    `AWSome Chat benchmarks on ${results.machine.cpus} x ${results.machine.cpuModel}, Node.js ${results.machine.node}`,
  );
  for (const benchmark of options.only) {
    if (controller.signal.aborted) break;
    try {
      await runBenchmark(run, benchmark);
    } catch (error) {
      // One benchmark failing (e.g. a piece not built) must not hide the others' figures.
      const message = error instanceof Error ? error.message : String(error);
      results.errors.push({ benchmark, message });
      progress.log(`${benchmark}: failed: ${message}`);
    }
  }
  results.aborted = controller.signal.aborted;

  const reports = benchmarkReports(results);
  const tables = reports.flatMap((report) => report.tables);
  const checks = reports.flatMap((report) => report.checks);
  if (options.markdown) await writeFigures(results, reports, progress);
  await writeOut(
    options.json
      ? `${JSON.stringify(results, null, 2)}\n`
      : `\n${renderReport(results, tables, checks, options.markdown)}\n`,
  );
  return exitCodeFor(results, checks);
}

/** Writes to stdout and waits until it is out: stdout to a pipe is asynchronous on some platforms. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/** The first Ctrl-C stops the run cleanly (the figures so far are printed); a second quits now. */
function stopOnCtrlC(progress: BenchRun['progress']): AbortController {
  const DOUBLE_DELIVERY_MS = 1000;
  const controller = new AbortController();
  let firstInterruptAt = 0;
  process.on('SIGINT', () => {
    const now = Date.now();
    if (controller.signal.aborted) {
      // tsx relays the terminal's SIGINT to this process, which also gets it from the terminal:
      // one key press can arrive twice, so only a later press means "quit now".
      if (now - firstInterruptAt < DOUBLE_DELIVERY_MS) return;
      process.stderr.write('\nStopped without cleanup.\n');
      process.exit(130);
    }
    firstInterruptAt = now;
    progress.log(
      '\nCtrl-C: stopping cleanly and printing the figures so far (Ctrl-C again to quit now)',
    );
    controller.abort();
  });
  return controller;
}

async function runBenchmark(run: BenchRun, benchmark: BenchmarkName): Promise<void> {
  const { options, signal, progress, results } = run;
  if (benchmark === 'load') {
    for (const clients of options.clientCounts) {
      if (signal.aborted) break;
      const load = await runLoadBenchmark(options, clients, signal, progress);
      results.load.push(load);
      for (const message of load.errors) results.errors.push({ benchmark, message });
    }
  } else if (benchmark === 'fanout') {
    results.fanout = await runFanoutBenchmark(options, signal, progress);
  } else if (benchmark === 'pushback') {
    results.pushback = await runPushbackBenchmark(options, signal, progress);
  } else if (benchmark === 'faults') {
    results.faults = await runFaultsBenchmark(options, signal, progress);
  } else if (benchmark === 'rooms') {
    results.rooms = await runRoomsBenchmark(options, signal, progress);
  } else {
    results.coldStart = await runColdStartBenchmark(progress);
  }
}

/** One benchmark's share of the report. */
interface BenchmarkReport {
  readonly benchmark: BenchmarkName;
  readonly tables: Table[];
  readonly checks: TargetCheck[];
}

/** The tables and target checks of every benchmark that produced figures, in the run's order. */
function benchmarkReports(all: BenchResults): BenchmarkReport[] {
  const reports: BenchmarkReport[] = [];
  if (all.load.length > 0) {
    reports.push({
      benchmark: 'load',
      tables: [
        ...all.load.flatMap(loadTables),
        ...(all.load.length > 1 ? [sweepTable(all.load)] : []),
      ],
      checks: all.load.flatMap(checkLoadTargets),
    });
  }
  if (all.fanout !== undefined) {
    reports.push({
      benchmark: 'fanout',
      tables: fanoutTables(all.fanout),
      checks: checkFanoutTargets(all.fanout),
    });
  }
  if (all.pushback !== undefined) {
    reports.push({
      benchmark: 'pushback',
      tables: pushbackTables(all.pushback, DEFAULT_SEND_CONCURRENCY),
      checks: checkPushbackTargets(all.pushback, DEFAULT_SEND_CONCURRENCY),
    });
  }
  if (all.faults !== undefined) {
    reports.push({
      benchmark: 'faults',
      tables: faultsTables(all.faults),
      checks: checkFaultsTargets(all.faults),
    });
  }
  if (all.rooms !== undefined) {
    reports.push({
      benchmark: 'rooms',
      tables: roomsTables(all.rooms),
      checks: checkRoomsTargets(all.rooms),
    });
  }
  if (all.coldStart !== undefined) {
    reports.push({
      benchmark: 'coldstart',
      tables: coldStartTables(all.coldStart),
      checks: checkColdStartTargets(all.coldStart),
    });
  }
  return reports;
}

/**
 * Writes each benchmark's Markdown into docs/benchmark-figures.md, keeping the sections of the
 * benchmarks this run did not run. A run stopped by Ctrl-C writes nothing: its figures are partial.
 */
async function writeFigures(
  all: BenchResults,
  reports: readonly BenchmarkReport[],
  progress: BenchRun['progress'],
): Promise<void> {
  const file = 'docs/benchmark-figures.md';
  if (all.aborted) {
    progress.log(`${file} left as it was: the run was stopped before it finished.`);
    return;
  }
  const sections: FiguresSection[] = reports.map((report) => ({
    benchmark: report.benchmark,
    markdown: sectionMarkdown({
      tables: report.tables,
      checks: report.checks,
      cores: all.machine.cpus,
      failures: all.errors
        .filter((error) => error.benchmark === report.benchmark)
        .map((error) => `${error.benchmark}: FAILED: ${error.message}`),
    }),
  }));
  if (sections.length === 0) return;
  try {
    await writeFiguresFile(FIGURES_FILE, sections, {
      command: benchCommand(process.argv.slice(2)),
      date: all.startedAt.slice(0, 10),
      machine: describeMachine(all.machine),
    });
    progress.log(`Figures written to ${file} (${sections.map((s) => s.benchmark).join(', ')}).`);
  } catch (error) {
    // The figures still reach stdout below; a file that cannot be written must not lose them.
    progress.log(`${file} not written: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function renderReport(
  all: BenchResults,
  tables: readonly Table[],
  checks: readonly TargetCheck[],
  markdown: boolean,
): string {
  const sections = tables.map((table) =>
    markdown ? renderMarkdownTable(table) : renderTextTable(table),
  );
  if (checks.length > 0) sections.push(renderTargets(all, checks, markdown ? '- ' : '  '));
  for (const error of all.errors) sections.push(`${error.benchmark}: FAILED: ${error.message}`);
  if (all.aborted) sections.push('Stopped by Ctrl-C: the figures above cover what ran until then.');
  return sections.join('\n\n');
}

/** The list of targets, each met or MISSED, under the number of cores it was measured on. */
function renderTargets(all: BenchResults, checks: readonly TargetCheck[], bullet: string): string {
  return [
    `Targets (${all.machine.cpus} cores):`,
    ...checks.map(
      (check) =>
        `${bullet}${check.met ? 'met   ' : 'MISSED'}  ${check.description}: ${check.measured}`,
    ),
  ].join('\n');
}

/**
 * 0 when every benchmark ran and every deciding check was met: nothing lost or duplicated
 * locally, the rooms' counts, a throttled broadcast's pace against its budget, every fault path,
 * and a setting that reaches 100,000 members in time; 1 when a benchmark failed or one of them
 * was missed; 130 after Ctrl-C. Speed targets of the unthrottled broadcasts and the load are
 * reported, not enforced: a shared, noisy machine must not turn a slow run into a failure.
 */
function exitCodeFor(all: BenchResults, checks: readonly TargetCheck[]): number {
  if (all.aborted) return 130;
  if (all.errors.length > 0) return 1;
  return checks.every((check) => check.met || check.decides !== true) ? 0 : 1;
}
