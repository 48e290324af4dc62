import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/common/progress.ts';
import { runFaultsBenchmark } from '../../src/faults/benchmark.ts';
import { parseBenchOptions } from '../../src/options.ts';

describe('runFaultsBenchmark', () => {
  it('broadcasts through an outage, refused hand-offs and a queue that refuses everything', {
    timeout: 180_000,
  }, async () => {
    // Prepare: 60 recipients in shards of 20; a room of 60 is small enough to post alone
    const options = parseBenchOptions([
      '--faults-recipients=60',
      '--faults-queue-down-recipients=60',
      '--faults-outage-ms=1500',
      '--fanout-rounds=1',
      '--fanout-round-trip-ms=5',
      '--fanout-shard-size=20',
    ]);

    // Act
    const result = await runFaultsBenchmark(options, new AbortController().signal, silentProgress);

    // Assess: every fault struck, and every recipient got the message
    const [outage, refused, queueDown] = result.runs;
    expect(result.runs.map((run) => run.fault)).toEqual(['outage', 'refusedHandOffs', 'queueDown']);
    for (const run of result.runs) {
      const [round] = run.rounds;
      expect(round?.injected, run.fault).toBeGreaterThan(0);
      expect(round, run.fault).toMatchObject({ delivered: 60, deadLettered: 0, timedOut: 0 });
    }
    // The outage was retried through: the last delivery came after it ended
    expect(outage?.rounds[0]?.lastDeliveryMs).toBeGreaterThan(1500);
    expect(outage?.rounds[0]?.metrics.Retried).toBeGreaterThan(0);
    expect(refused?.rounds[0]?.metrics.HandedOff).toBeGreaterThan(0);
    // The accepting invocation reached everyone itself: nothing to report to the sender
    expect(queueDown?.rounds[0]?.unreachedReported).toBeUndefined();
  });
});
