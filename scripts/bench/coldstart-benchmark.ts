/**
 * The cold-start benchmark: runs the backend helper's measurement (scripts/bench/cold-start.ts)
 * and turns its figures into a table. PLACEHOLDER until cold-start.ts lands.
 */
import type { Progress } from './progress.ts';
import type { Table } from './table.ts';

/** Cold-start figures. */
export type ColdStartBenchmarkResult = Record<string, unknown>;

/**
 * Runs the cold-start measurement.
 * @param progress - where to report progress
 * @returns its figures
 */
export async function runColdStartBenchmark(progress: Progress): Promise<ColdStartBenchmarkResult> {
  progress.log('Cold start: not available yet');
  throw new Error('scripts/bench/cold-start.ts has not landed yet');
}

/**
 * Tables of the cold-start figures.
 * @param result - the figures
 * @returns the tables
 */
export function coldStartTables(result: ColdStartBenchmarkResult): Table[] {
  return [
    {
      title: 'Cold start',
      headings: ['figure', 'value'],
      rows: Object.entries(result).map(([k, v]) => [k, String(v)]),
    },
  ];
}
