import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/common/latency.ts';

describe('LatencyRecorder', () => {
  it('reports zeros before anything was recorded', () => {
    // Act
    const summary = new LatencyRecorder().summary();

    // Assess
    expect(summary).toEqual({ count: 0, medianMs: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('gives percentiles within the histogram precision and the exact maximum', () => {
    // Prepare: 1..1000 ms, so the true median is 500 ms, p95 950 ms, p99 990 ms
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) recorder.record(ms);

    // Act
    const summary = recorder.summary();

    // Assess: 3 significant digits means within 0.1 %
    expect(summary.count).toBe(1000);
    expect(Math.abs(summary.medianMs - 500) / 500).toBeLessThan(0.001);
    expect(Math.abs(summary.p95Ms - 950) / 950).toBeLessThan(0.001);
    expect(Math.abs(summary.p99Ms - 990) / 990).toBeLessThan(0.001);
    expect(summary.maxMs).toBe(1000);
  });

  it('keeps sub-millisecond resolution and counts negative skew as zero', () => {
    // Prepare
    const recorder = new LatencyRecorder();
    recorder.record(0.25);
    recorder.record(-3);

    // Act
    const summary = recorder.summary();

    // Assess
    expect(summary.maxMs).toBeCloseTo(0.25, 3);
    expect(summary.count).toBe(2);
  });

  it('never reports a percentile above the maximum', () => {
    // Prepare: one value whose bucket top lies above it
    const recorder = new LatencyRecorder();
    recorder.record(1049.3);

    // Act
    const summary = recorder.summary();

    // Assess
    expect(summary.p99Ms).toBeLessThanOrEqual(summary.maxMs);
    expect(summary.medianMs).toBeLessThanOrEqual(summary.maxMs);
  });
});
