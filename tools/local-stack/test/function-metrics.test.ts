/**
 * The function's metrics as the stack reads them: which output lines are EMF records, the line
 * printed for each, the summary they add up to, and the summary line `npm start` prints.
 */
import { describe, expect, it } from 'vitest';
import {
  FunctionMetrics,
  formatEmfRecord,
  formatMetricsSummary,
  parseEmfLine,
  percentile,
  readFunctionOutput,
} from '../src/function-metrics.ts';
import { emfLine } from './support/emf.ts';

/** A broadcast's record, as the function writes one per invocation. */
const BROADCAST = emfLine(
  {
    MessagesAccepted: { value: 1 },
    Delivered: { value: 3 },
    Gone: { value: 1 },
    Throttled: { value: 0 },
    Retried: { value: 2 },
    DeadLettered: { value: 0 },
    HandedOff: { value: 0 },
    TimeToLastDelivery: { value: 41.4, unit: 'Milliseconds' },
  },
  { room: 'lobby' },
);

function parsed(line: string): NonNullable<ReturnType<typeof parseEmfLine>> {
  const record = parseEmfLine(line);
  if (record === undefined) throw new Error(`not an EMF record: ${line}`);
  return record;
}

describe('parseEmfLine', () => {
  it('reads every metric a record declares, with its values and unit, and its room', () => {
    // Act
    const record = parsed(BROADCAST);
    // Assess
    expect(Object.fromEntries(record.metrics)).toEqual({
      MessagesAccepted: [1],
      Delivered: [3],
      Gone: [1],
      Throttled: [0],
      Retried: [2],
      DeadLettered: [0],
      HandedOff: [0],
      TimeToLastDelivery: [41.4],
    });
    expect(record.units.get('TimeToLastDelivery')).toBe('Milliseconds');
    expect(record.room).toBe('lobby');
  });

  it('reads a metric with several values (EMF arrays) and names it knows nothing of', () => {
    const record = parsed(
      emfLine({
        TimeToLastDelivery: { value: [10, 20], unit: 'Milliseconds' },
        SomethingNew: { value: 7 },
      }),
    );
    expect(Object.fromEntries(record.metrics)).toEqual({
      TimeToLastDelivery: [10, 20],
      SomethingNew: [7],
    });
    expect(record.room).toBeUndefined();
  });

  it.each([
    ['a log line', '{"level":"info","route":"$default","outcome":"broadcast","delivered":3}'],
    ['plain text', 'warning: something happened'],
    ['broken JSON', '{"_aws": {'],
    ['an _aws object without metric directives', '{"_aws":{"Timestamp":1},"Delivered":3}'],
    [
      'a directive whose metric has no numeric value',
      '{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"Delivered"}]}]},"Delivered":"3"}',
    ],
  ])('passes over %s', (_what, line) => {
    expect(parseEmfLine(line)).toBeUndefined();
  });
});

describe('formatEmfRecord', () => {
  it("prints a broadcast's counts and its time to last delivery on one line", () => {
    expect(formatEmfRecord(parsed(BROADCAST))).toBe(
      'broadcast  room=lobby messagesAccepted=1 delivered=3 gone=1 throttled=0 retried=2 ' +
        'deadLettered=0 handedOff=0 in 41 ms',
    );
  });

  it('prints any other record as metrics, with every value', () => {
    expect(
      formatEmfRecord(
        parsed(emfLine({ OpenConnections: { value: 4 }, ColdStart: { value: [1, 1] } })),
      ),
    ).toBe('metrics    openConnections=4 coldStart=1,1');
  });
});

describe('FunctionMetrics', () => {
  it('sums each metric over the records, keeps the latest value and every time', () => {
    // Prepare
    const metrics = new FunctionMetrics();
    // Act
    metrics.add(parsed(BROADCAST));
    metrics.add(
      parsed(
        emfLine({
          Delivered: { value: 5 },
          TimeToLastDelivery: { value: [12, 13], unit: 'Milliseconds' },
          OpenConnections: { value: 9 },
        }),
      ),
    );
    metrics.add(parsed(emfLine({ OpenConnections: { value: 8 } })));
    // Assess
    const summary = metrics.summary();
    expect(summary.records).toBe(3);
    expect(summary.sums).toMatchObject({ Delivered: 8, Gone: 1, Retried: 2, MessagesAccepted: 1 });
    expect(summary.latest.OpenConnections).toBe(8);
    expect(summary.timeToLastDelivery).toEqual([41.4, 12, 13]);
  });

  it('starts from zero after reset, and hands out copies', () => {
    const metrics = new FunctionMetrics();
    metrics.add(parsed(BROADCAST));
    const before = metrics.summary();
    metrics.reset();
    expect(metrics.summary()).toEqual({ records: 0, sums: {}, latest: {}, timeToLastDelivery: [] });
    expect(before.sums.Delivered).toBe(3);
  });
});

describe('readFunctionOutput', () => {
  it('prints EMF records as one line of the stack, sums them, and passes every other line on', () => {
    // Prepare
    const metrics = new FunctionMetrics();
    const printed: string[] = [];
    const logged: string[] = [];
    const receive = readFunctionOutput(
      metrics,
      (line) => printed.push(line),
      (line) => logged.push(line),
    );
    // Act
    receive('{"level":"info","outcome":"broadcast"}');
    receive(BROADCAST);
    // Assess
    expect(printed).toEqual(['{"level":"info","outcome":"broadcast"}']);
    expect(logged).toEqual([
      expect.stringMatching(/^broadcast {2}room=lobby messagesAccepted=1 delivered=3 /),
    ]);
    expect(metrics.summary().sums.Delivered).toBe(3);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 0.5)).toBe(5);
    expect(percentile(values, 0.99)).toBe(10);
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('formatMetricsSummary', () => {
  it('gives the records, the sums, the p50 and p99 of the time to last delivery and the refusals', () => {
    const metrics = new FunctionMetrics();
    metrics.add(parsed(BROADCAST));
    expect(formatMetricsSummary(metrics.summary(), 7)).toBe(
      'Summary: 1 metric records; messagesAccepted=1 delivered=3 gone=1 throttled=0 retried=2 ' +
        'deadLettered=0 handedOff=0; time to last delivery p50 41 ms, p99 41 ms; ' +
        '7 posts refused by the callback budget',
    );
  });
});
