/**
 * Latency statistics on an HDR histogram: constant memory however many values are recorded, and
 * percentiles accurate to 3 significant digits, which a sorted array of everything cannot promise
 * at 2,000 clients × thousands of receipts.
 */

import type { Histogram } from 'hdr-histogram-js';
import { build } from 'hdr-histogram-js';

/** Percentiles of one latency distribution, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Values are stored in microseconds; one hour is far above anything a benchmark waits for. */
const MICROS_PER_MS = 1000;
const HIGHEST_TRACKABLE_MICROS = 3_600_000_000;

/** Records durations in milliseconds and summarises them. */
export class LatencyRecorder {
  readonly #histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROS,
    numberOfSignificantValueDigits: 3,
  });

  /**
   * Records one duration.
   * @param durationMs - milliseconds, fractions allowed; negatives (clock skew) count as 0
   */
  record(durationMs: number): void {
    const micros = Math.round(Math.max(0, durationMs) * MICROS_PER_MS);
    this.#histogram.recordValue(Math.min(micros, HIGHEST_TRACKABLE_MICROS));
  }

  /** @returns how many durations were recorded */
  get count(): number {
    return this.#histogram.totalCount;
  }

  /** @returns median, 95th, 99th percentile and maximum; zeros when nothing was recorded */
  summary(): LatencySummary {
    const histogram = this.#histogram;
    const count = histogram.totalCount;
    if (count === 0) return { count: 0, medianMs: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const max = histogram.maxValue;
    // A percentile is the top of its bucket (within 0.1 %), which can sit just above the exact
    // maximum; a p99 printed above the max would only confuse.
    const percentile = (p: number): number =>
      Math.min(histogram.getValueAtPercentile(p), max) / MICROS_PER_MS;
    return {
      count,
      medianMs: percentile(50),
      p95Ms: percentile(95),
      p99Ms: percentile(99),
      maxMs: max / MICROS_PER_MS,
    };
  }
}
