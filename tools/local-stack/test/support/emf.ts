/**
 * Embedded Metric Format records shaped as Powertools Metrics writes them (one JSON line: the
 * `_aws` metadata with the namespace, dimensions and metric definitions, then the dimension's and
 * the metrics' values at the top level), for the tests of the stack's metrics.
 */

/** A metric's value (or values) and unit. */
export interface EmfValue {
  readonly value: number | readonly number[];
  readonly unit?: string;
}

/**
 * One EMF line.
 * @param metrics - each metric's value(s) and unit (default `Count`)
 * @param properties - more top-level properties, e.g. `{ room: 'lobby' }`
 * @returns the line, without a newline
 */
export function emfLine(
  metrics: Readonly<Record<string, EmfValue>>,
  properties: Readonly<Record<string, unknown>> = {},
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: 1_800_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'AWSomeChat',
          Dimensions: [['service']],
          Metrics: Object.entries(metrics).map(([name, { unit = 'Count' }]) => ({
            Name: name,
            Unit: unit,
          })),
        },
      ],
    },
    service: 'awsome-chat-local',
    ...properties,
    ...Object.fromEntries(Object.entries(metrics).map(([name, { value }]) => [name, value])),
  });
}
