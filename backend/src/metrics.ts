/**
 * The function's CloudWatch metrics, in Embedded Metric Format: one JSON record per invocation
 * on stdout, which CloudWatch Logs turns into metrics with no PutMetricData call and no extra
 * latency. Written by Powertools for AWS Lambda's Metrics: it prints each record through a
 * `Console` of its own on `process.stdout`, so the record stays one line of pure JSON even under
 * Lambda's JSON log format, where the runtime's patched `console.log` would wrap it in a log
 * record of its own.
 *
 * Routes record counts while they run; the invocation scope publishes them when the invocation
 * ends. Only counts, durations and the room a broadcast served: never message text, never an id.
 * The room is a property of the record, not a dimension: a dimension per room would make a
 * metric per room (and the alarms watch the `service` dimension alone); as a property it is
 * there to read and to query in CloudWatch Logs Insights, beside the invocation's log line.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import contract from '../../contract/contract.json' with { type: 'json' };

const names = contract.metrics.names;

/**
 * The metrics that add up over an invocation (and over invocations, in CloudWatch), by their key
 * in contract.json, which names them once for the function and for Terraform's alarms.
 */
export type CountMetric = Exclude<keyof typeof names, 'timeToLastDelivery' | 'openConnections'>;

/** What a route records while the invocation runs. */
export interface MetricsRecorder {
  /** Adds to a count (repeated calls add up). */
  count(name: CountMetric, value: number): void;
  /** One broadcast part's time from the message's acceptance to its last successful post. */
  timeToLastDelivery(milliseconds: number): void;
  /** The number of open connections, as last seen by this invocation (a gauge). */
  openConnections(count: number): void;
  /** A room this invocation broadcast to: the record's `room` property. */
  room(name: string): void;
}

/** The recorder plus what the invocation scope does with it when the invocation ends. */
export interface InvocationMetrics extends MetricsRecorder {
  /** Writes what was recorded as one EMF record, and starts afresh; nothing when none was. */
  publish(): void;
}

/** Where a finished invocation's values go. */
export interface InvocationValues {
  readonly counts: ReadonlyMap<CountMetric, number>;
  readonly timesToLastDelivery: readonly number[];
  readonly openConnections: number | undefined;
  /**
   * The rooms the invocation broadcast to, in the order first named, joined with commas (a batch
   * of shards may serve several; a room name has no comma); undefined when it named none.
   */
  readonly room: string | undefined;
}

/**
 * Collects an invocation's values and hands them to `write` when it is published.
 * @param write - writes one invocation's values (EMF in production, a list in tests)
 * @returns the invocation's metrics
 */
export function collectInvocationMetrics(
  write: (values: InvocationValues) => void,
): InvocationMetrics {
  let counts = new Map<CountMetric, number>();
  let times: number[] = [];
  let open: number | undefined;
  let rooms = new Set<string>();
  return {
    count(name, value) {
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
    timeToLastDelivery(milliseconds) {
      times.push(Math.max(0, Math.round(milliseconds)));
    },
    openConnections(count) {
      open = count;
    },
    room(name) {
      rooms.add(name);
    },
    publish() {
      const values = {
        counts,
        timesToLastDelivery: times,
        openConnections: open,
        room: rooms.size === 0 ? undefined : [...rooms].join(','),
      };
      counts = new Map();
      times = [];
      open = undefined;
      rooms = new Set();
      if (values.counts.size === 0 && values.timesToLastDelivery.length === 0) {
        if (values.openConnections === undefined) return;
      }
      write(values);
    },
  };
}

/** Options of {@link createEmfMetrics}. */
export interface EmfMetricsOptions {
  /** The `service` dimension's value: the function's name, so stacks in one account differ. */
  readonly serviceName: string;
}

/**
 * The production metrics: Powertools' Metrics, namespace `AWSomeChat`, dimension `service`.
 * @param options - the service dimension's value
 * @returns the invocation's metrics, publishing one EMF line to stdout
 */
export function createEmfMetrics(options: EmfMetricsOptions): InvocationMetrics {
  const emf = new Metrics({
    namespace: contract.metrics.namespace,
    serviceName: options.serviceName,
  });
  return collectInvocationMetrics((values) => {
    for (const [key, value] of values.counts) emf.addMetric(names[key], MetricUnit.Count, value);
    for (const milliseconds of values.timesToLastDelivery) {
      emf.addMetric(names.timeToLastDelivery, MetricUnit.Milliseconds, milliseconds);
    }
    if (values.openConnections !== undefined) {
      emf.addMetric(names.openConnections, MetricUnit.Count, values.openConnections);
    }
    // Metadata is a top-level property of the record, never a dimension.
    if (values.room !== undefined) emf.addMetadata('room', values.room);
    emf.publishStoredMetrics();
  });
}
