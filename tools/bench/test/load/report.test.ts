import { describe, expect, it } from 'vitest';
import type { LoadBenchmarkResult, LoadTargetResult } from '../../src/load/benchmark.ts';
import type { LoadRunResult } from '../../src/load/generator.ts';
import { checkLoadTargets, loadTables, sweepTable } from '../../src/load/report.ts';

const MB = 1024 * 1024;

const target = (
  name: LoadTargetResult['target'],
  medianMs: number,
  overrides: Partial<LoadRunResult['delivery']> = {},
  idleRssBytes = 100 * MB,
): LoadTargetResult => ({
  target: name,
  idleRssBytes,
  idleContainers: name === 'stack' ? { count: 2, bytes: 60 * MB } : undefined,
  peakRssBytes: idleRssBytes * 1.5,
  run: {
    clientsRequested: 1000,
    clientsConnected: 1000,
    connectFailures: 0,
    connectFailureReasons: {},
    connectTime: { count: 1000, medianMs: 10, p95Ms: 20, p99Ms: 30, maxMs: 40 },
    connectWallMs: 1200,
    allReceived: {
      count: 30,
      medianMs,
      p95Ms: medianMs * 2,
      p99Ms: medianMs * 3,
      maxMs: medianMs * 4,
    },
    eachReceipt: {
      count: 29_970,
      medianMs: medianMs / 2,
      p95Ms: medianMs,
      p99Ms: medianMs,
      maxMs: medianMs,
    },
    delivery: {
      messagesSent: 30,
      messagesComplete: 30,
      receiptsLost: 0,
      receiptsDuplicated: 0,
      receiptsBySender: 0,
      receiptsUnknown: 0,
      ...overrides,
    },
    unexpectedCloses: 0,
    otherFrames: 0,
    messagesInterrupted: 0,
    sendWallMs: 9000,
    aborted: false,
  },
});

describe('loadTables', () => {
  it('prints our figures as ratios to both baselines in the same run', () => {
    // Prepare
    const result: LoadBenchmarkResult = {
      clients: 1000,
      targets: [target('bare', 10), target('naive', 500), target('stack', 250)],
      errors: [],
    };

    // Act
    const [latency, connections] = loadTables(result);

    // Assess
    expect(latency?.rows.map((row) => row.at(-1))).toEqual(['-', '1.0x', '0.5x']);
    expect(latency?.rows[2]).toEqual([
      'local stack',
      '30/30',
      '250 ms',
      '500 ms',
      '750 ms',
      '1,000 ms',
      '0',
      '0',
      '25.0x',
      '25.0x',
      '0.5x',
    ]);
    expect(connections?.rows[2]?.at(-1)).toBe('1.0x');
  });
});

describe('checkLoadTargets', () => {
  it('meets the targets when fast, complete and small', () => {
    // Prepare
    const result: LoadBenchmarkResult = {
      clients: 1000,
      targets: [target('stack', 250)],
      errors: [],
    };

    // Act
    const checks = checkLoadTargets(result);

    // Assess
    expect(checks.map((check) => check.met)).toEqual([true, true, true]);
  });

  it("judges the median against half the naive handler's", () => {
    // Prepare
    const result = (stackMedianMs: number): LoadBenchmarkResult => ({
      clients: 1000,
      targets: [target('naive', 500), target('stack', stackMedianMs)],
      errors: [],
    });

    // Act
    const [fast, slow] = [250, 260].map((median) =>
      checkLoadTargets(result(median)).find((check) => check.description.includes('naive')),
    );

    // Assess
    expect(fast).toMatchObject({ met: true, measured: '0.50x (250 ms vs 500 ms)' });
    expect(slow?.met).toBe(false);
  });

  it('misses them on a loss, a duplicate, a slow median or too much memory', () => {
    // Prepare
    const lossy: LoadBenchmarkResult = {
      clients: 1000,
      targets: [
        target('naive', 1000),
        target('stack', 1500, { receiptsLost: 1, receiptsBySender: 1 }, 400 * MB),
      ],
      errors: [],
    };

    // Act
    const checks = checkLoadTargets(lossy);

    // Assess
    expect(checks.map((check) => check.met)).toEqual([false, false, false, false]);
    expect(checks[0]?.measured).toBe('1 lost, 1 duplicated, 0 connect failures');
  });

  it('judges the memory of the stack itself, its Lambda containers (processes) reported apart', () => {
    // Prepare: 300 MB in all, of which 2 containers hold 60 MB
    const result: LoadBenchmarkResult = {
      clients: 1000,
      targets: [target('stack', 500, {}, 300 * MB)],
      errors: [],
    };

    // Act
    const memory = checkLoadTargets(result).find((check) => check.description.includes('RSS'));

    // Assess
    expect(memory?.met).toBe(true);
    expect(memory?.measured).toBe('240.0 MB (+ 2 containers, 60.0 MB)');
  });

  it('does not call a run fast when no message reached everyone', () => {
    // Prepare
    const stuck = target('stack', 0, { messagesComplete: 0, receiptsLost: 999 });
    const result: LoadBenchmarkResult = {
      clients: 1000,
      targets: [
        { ...stuck, run: { ...stuck.run, allReceived: { ...stuck.run.allReceived, count: 0 } } },
      ],
      errors: [],
    };

    // Act
    const speed = checkLoadTargets(result).find((check) => check.description.startsWith('median'));

    // Assess
    expect(speed).toMatchObject({ met: false, measured: 'no message reached everyone' });
  });

  it('judges only the correctness target below 1,000 clients, and nothing for the baselines', () => {
    // Act
    const small = checkLoadTargets({
      clients: 100,
      targets: [target('naive', 100), target('stack', 50)],
      errors: [],
    });
    const baselinesOnly = checkLoadTargets({
      clients: 1000,
      targets: [target('bare', 5), target('naive', 100)],
      errors: [],
    });

    // Assess
    expect(small.map((check) => check.description)).toEqual([
      'nothing lost or duplicated with 100 clients',
    ]);
    expect(baselinesOnly).toEqual([]);
  });
});

describe('sweepTable', () => {
  it('has one row per client count', () => {
    // Act
    const table = sweepTable([
      {
        clients: 100,
        targets: [target('bare', 2), target('naive', 80), target('stack', 40)],
        errors: [],
      },
      { clients: 500, targets: [target('bare', 5), target('stack', 120)], errors: [] },
    ]);

    // Assess
    expect(table.rows.map((row) => row.slice(0, 6))).toEqual([
      ['100', '40.0 ms (80.0 ms)', '80.0 ms (160 ms)', '2.0 ms (4.0 ms)', '0.5x', '20.0x'],
      ['500', '120 ms (240 ms)', '-', '5.0 ms (10.0 ms)', '-', '24.0x'],
    ]);
  });
});
