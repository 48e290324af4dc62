/**
 * The cold-start benchmark's table and target checks. Pure: figures in, table out.
 */
import type { Table, TargetCheck } from '../common/report.ts';
import { formatKilobytes, formatMs, formatRatio } from '../common/report.ts';
import type { BundleColdStart, ColdStartResult } from './benchmark.ts';

/** The targets and their reasons: docs/benchmarks.md, "Targets". */
export const COLD_START_TARGETS = { maxBundleBytes: 400 * 1024, maxInitRatio: 0.75 } as const;

/**
 * Builds the cold-start table.
 * @param result - the figures
 * @returns one table with a row per bundle
 */
export function coldStartTables(result: ColdStartResult): Table[] {
  const row = (name: string, figures: BundleColdStart): string[] => [
    name,
    formatKilobytes(figures.bundleBytes),
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
        row('default esbuild bundle of the same 4 SDK clients', result.baseline),
        ...(result.authorizer === undefined
          ? []
          : [
              row(
                '$connect authorizer of the auth modes (backend/dist/authorizer)',
                result.authorizer,
              ),
            ]),
      ],
    },
  ];
}

/**
 * Checks the cold-start figures against the targets.
 * @param result - the figures
 * @returns the bundle size and init ratio checks
 */
export function checkColdStartTargets(result: ColdStartResult): TargetCheck[] {
  return [
    {
      description: `Lambda bundle <= ${COLD_START_TARGETS.maxBundleBytes / 1024} KB`,
      met: result.lambda.bundleBytes <= COLD_START_TARGETS.maxBundleBytes,
      measured: formatKilobytes(result.lambda.bundleBytes),
    },
    {
      description: `median import + init <= ${COLD_START_TARGETS.maxInitRatio}x the default bundle's`,
      met: result.initRatio <= COLD_START_TARGETS.maxInitRatio,
      measured: `${result.initRatio.toFixed(2)}x`,
    },
  ];
}
