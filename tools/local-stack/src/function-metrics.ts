/**
 * The function's CloudWatch metrics, read locally. On AWS the function writes each invocation's
 * metrics as one line of Embedded Metric Format (EMF) JSON to stdout, and CloudWatch Logs turns
 * it into metrics. Locally the stack reads the same lines from the containers' output: instead of
 * the raw JSON it prints one compact line per record, and it keeps a summary (sums per metric,
 * every TimeToLastDelivery) that `stack.metrics()` returns and the benchmarks read.
 *
 * Nothing here depends on the function's metric names beyond the few that make a record a
 * broadcast's and the one whose values are kept (contract.json names them): whatever numeric
 * metrics a record declares are summed.
 *
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import contract from '../../../contract/contract.json' with { type: 'json' };

const names = contract.metrics.names;

/** One EMF record: its metrics' values, and the room it names, if any. */
export interface EmfRecord {
  /** Each declared metric's values (EMF allows one value or an array of them). */
  readonly metrics: ReadonlyMap<string, readonly number[]>;
  /** Each metric's unit as declared, e.g. `Count`, `Milliseconds`. */
  readonly units: ReadonlyMap<string, string>;
  /** A `room` property of the record, when it has one. */
  readonly room: string | undefined;
}

/** What the function's metrics add up to so far. */
export interface FunctionMetricsSummary {
  /** EMF records read: one per invocation that published metrics. */
  readonly records: number;
  /** Each metric's values added up, by metric name (e.g. `Delivered`). */
  readonly sums: Readonly<Record<string, number>>;
  /** Each metric's latest value, by name: what a gauge such as `OpenConnections` reads now. */
  readonly latest: Readonly<Record<string, number>>;
  /** Every TimeToLastDelivery value, in milliseconds, in the order they came. */
  readonly timeToLastDelivery: readonly number[];
}

/** The metric whose every value is kept, for percentiles (the dashboard shows its p50 and p99). */
export const TIME_TO_LAST_DELIVERY: string = names.timeToLastDelivery;

/** Metrics that make a record a broadcast's (any one of them) in the printed line. */
const BROADCAST_METRICS: ReadonlySet<string> = new Set([
  names.delivered,
  names.gone,
  names.throttled,
  names.retried,
  names.deadLettered,
  names.deadLetterFailed,
  names.handedOff,
  names.timeToLastDelivery,
]);

/**
 * Reads one line of the function's output as an EMF record.
 * @param line - one line the function wrote
 * @returns the record, or `undefined` for any other line (a log line, text, broken JSON)
 */
export function parseEmfLine(line: string): EmfRecord | undefined {
  // Most lines are the function's log lines: skip the JSON parse for them.
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed._aws)) return undefined;
  const directives = parsed._aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) return undefined;
  const metrics = new Map<string, number[]>();
  const units = new Map<string, string>();
  for (const directive of directives) {
    if (!isObject(directive) || !Array.isArray(directive.Metrics)) continue;
    for (const definition of directive.Metrics) {
      if (!isObject(definition) || typeof definition.Name !== 'string') continue;
      const values = numbersOf(parsed[definition.Name]);
      if (values.length === 0 || metrics.has(definition.Name)) continue;
      metrics.set(definition.Name, values);
      if (typeof definition.Unit === 'string') units.set(definition.Name, definition.Unit);
    }
  }
  if (metrics.size === 0) return undefined;
  const room = typeof parsed.room === 'string' ? parsed.room : undefined;
  return { metrics, units, room };
}

/**
 * The compact line the stack prints for a record: `broadcast  room=lobby delivered=3 gone=0 …
 * in 41 ms` for a broadcast's, `metrics  openConnections=4` for any other. Names are the
 * metrics' own with a lower-case first letter; the time is TimeToLastDelivery's.
 * @param record - the record
 * @returns the line, without the time of day
 */
export function formatEmfRecord(record: EmfRecord): string {
  const isBroadcast = [...record.metrics.keys()].some((name) => BROADCAST_METRICS.has(name));
  const parts: string[] = [isBroadcast ? 'broadcast ' : 'metrics   '];
  if (record.room !== undefined) parts.push(`room=${record.room}`);
  for (const [name, values] of record.metrics) {
    if (name === TIME_TO_LAST_DELIVERY) continue;
    parts.push(`${name.charAt(0).toLowerCase()}${name.slice(1)}=${values.join(',')}`);
  }
  const times = record.metrics.get(TIME_TO_LAST_DELIVERY);
  if (times !== undefined) parts.push(`in ${times.map((ms) => Math.round(ms)).join(',')} ms`);
  return parts.join(' ');
}

/** Adds up every record it is given. */
export class FunctionMetrics {
  #records = 0;
  #sums: Record<string, number> = {};
  #latest: Record<string, number> = {};
  #timeToLastDelivery: number[] = [];

  /** Adds a record's values to the summary. */
  add(record: EmfRecord): void {
    this.#records++;
    for (const [name, values] of record.metrics) {
      this.#sums[name] = values.reduce((sum, value) => sum + value, this.#sums[name] ?? 0);
      this.#latest[name] = values.at(-1) as number;
      if (name === TIME_TO_LAST_DELIVERY) this.#timeToLastDelivery.push(...values);
    }
  }

  /** A copy of the summary so far. */
  summary(): FunctionMetricsSummary {
    return {
      records: this.#records,
      sums: { ...this.#sums },
      latest: { ...this.#latest },
      timeToLastDelivery: [...this.#timeToLastDelivery],
    };
  }

  /** Forgets everything added so far (a benchmark's next round starts from zero). */
  reset(): void {
    this.#records = 0;
    this.#sums = {};
    this.#latest = {};
    this.#timeToLastDelivery = [];
  }
}

/**
 * The value below which `fraction` of `values` lie (nearest rank), e.g. 0.99 for p99.
 * @param values - the values, in any order
 * @param fraction - from 0 to 1
 * @returns the percentile, or `undefined` for no values
 */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1];
}

/**
 * One line that sums up a run, for `npm start` to print when it stops: the sums, the time to last
 * delivery's p50 and p99, and what the callback budget refused.
 * @param summary - the function's metrics so far
 * @param callbackThrottled - posts the callback budget refused
 * @returns the line
 */
export function formatMetricsSummary(
  summary: FunctionMetricsSummary,
  callbackThrottled: number,
): string {
  const sums = Object.entries(summary.sums)
    .filter(([name]) => name !== TIME_TO_LAST_DELIVERY)
    .map(([name, sum]) => `${name.charAt(0).toLowerCase()}${name.slice(1)}=${sum}`);
  const times = summary.timeToLastDelivery;
  const p50 = percentile(times, 0.5);
  const p99 = percentile(times, 0.99);
  const timing =
    p50 === undefined || p99 === undefined
      ? []
      : [`time to last delivery p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms`];
  return [
    `Summary: ${summary.records} metric records`,
    ...(sums.length === 0 ? [] : [sums.join(' ')]),
    ...timing,
    `${callbackThrottled} posts refused by the callback budget`,
  ].join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numbersOf(value: unknown): number[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is number => typeof item === 'number' && Number.isFinite(item));
}

/**
 * The function's output as the stack prints it: each EMF record is summed into `metrics` and
 * printed as one compact line through `log`; every other line goes to `print` as written.
 * @param metrics - the summary to add to
 * @param print - where the function's own lines go
 * @param log - where the stack's lines go (with the time of day)
 * @returns a receiver for each line the function writes
 */
export function readFunctionOutput(
  metrics: FunctionMetrics,
  print: (line: string) => void,
  log: (line: string) => void,
): (line: string) => void {
  return (line) => {
    const record = parseEmfLine(line);
    if (record === undefined) {
      print(line);
      return;
    }
    metrics.add(record);
    log(formatEmfRecord(record));
  };
}
