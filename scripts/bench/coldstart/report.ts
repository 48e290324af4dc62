/**
 * The cold-start benchmark: runs the backend's measurement (`benchColdStart` in cold-start.ts:
 * bundle size and median import + init time in fresh Node.js processes, against a default
 * esbuild bundle of the same SDK clients) and turns its figures into a table and target checks.
 */

import type { TargetCheck } from '../load/report.ts';
import type { Progress } from '../shared/progress.ts';
import type { Table } from '../shared/report.ts';
import { formatMs, formatRatio } from '../shared/report.ts';
import type { ColdStartResult } from './benchmark.ts';
import { benchColdStart, COLD_START_TARGETS } from './benchmark.ts';

/** The cold-start figures, exactly as cold-start.ts measured them. */
export type ColdStartBenchmarkResult = ColdStartResult;

/**
 * Runs the cold-start measurement on the bundle `npm run build` wrote.
 * @param progress - where to report progress
 * @returns its figures
 */
export async function runColdStartBenchmark(progress: Progress): Promise<ColdStartBenchmarkResult> {
  progress.log('Cold start: fresh Node.js processes, our bundle and the baseline alternating');
  return benchColdStart({ onProgress: (text) => progress.update(text) });
}

/**
 * Builds the cold-start table.
 * @param result - the figures
 * @returns one table with a row per bundle
 */
export function coldStartTables(result: ColdStartBenchmarkResult): Table[] {
  const row = (name: string, figures: ColdStartResult['lambda']): string[] => [
    name,
    `${(figures.bundleBytes / 1024).toFixed(1)} KB`,
    formatMs(figures.medianInitMs),
    formatMs(figures.medianProcessMs),
    formatRatio(figures.medianInitMs, result.baseline.medianInitMs),
  ];
  return [
    {
      title: `Cold start: median of ${result.runs} fresh Node.js ${result.nodeVersion} processes per bundle`,
      headings: ['bundle', 'size', 'import + init', 'whole process', 'init vs baseline'],
      rows: [
        row('Lambda bundle (backend/dist)', result.lambda),
        row('default esbuild bundle of the 3 SDK clients', result.baseline),
      ],
    },
  ];
}

/**
 * Checks the cold-start figures against the backend issue's targets.
 * @param result - the figures
 * @returns the bundle size and init ratio checks
 */
export function checkColdStartTargets(result: ColdStartBenchmarkResult): TargetCheck[] {
  return [
    {
      description: `Lambda bundle <= ${COLD_START_TARGETS.maxBundleBytes / 1024} KB`,
      met: result.bundleWithinTarget,
      measured: `${(result.lambda.bundleBytes / 1024).toFixed(1)} KB`,
    },
    {
      description: `median import + init <= ${COLD_START_TARGETS.maxInitRatio}x the default bundle's`,
      met: result.initWithinTarget,
      measured: `${result.initRatio.toFixed(2)}x`,
    },
  ];
}
