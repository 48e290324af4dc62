/**
 * What one invocation's part of a broadcast adds to the invocation's metrics.
 */
import type { MetricsRecorder } from '../metrics.ts';
import type { FanoutReport } from './fanout.ts';

/** Which broadcast a report is part of, as far as the invocation knows. */
export interface BroadcastOf {
  /** The room it went to. */
  readonly room?: string;
  /** When its message was accepted (epoch ms). */
  readonly acceptedAt?: number;
}

/**
 * Records a fan-out report's counts, its room, and its time to last delivery when the message's
 * acceptance time is known.
 * @param metrics - the invocation's metrics
 * @param report - what the invocation did with its part of the broadcast
 * @param broadcast - its room and its message's acceptance time, if known
 * @param remainder - recipients of a rest of the room dead-lettered (or lost) as a cursor, as
 *   far as the caller can tell; the report itself cannot count them
 */
export function recordFanoutMetrics(
  metrics: MetricsRecorder,
  report: FanoutReport,
  broadcast: BroadcastOf,
  remainder: { readonly deadLettered: number; readonly lost: number } = {
    deadLettered: 0,
    lost: 0,
  },
): void {
  const { room, acceptedAt } = broadcast;
  if (room !== undefined) metrics.room(room);
  metrics.count('delivered', report.delivered);
  metrics.count('gone', report.gone);
  metrics.count('throttled', report.throttled);
  metrics.count('retried', report.retried);
  metrics.count('handedOff', report.handedOff);
  metrics.count('deadLettered', report.deadLettered + remainder.deadLettered);
  metrics.count('deadLetterFailed', report.lost + remainder.lost);
  if (acceptedAt !== undefined && report.lastDeliveredAt !== undefined) {
    metrics.timeToLastDelivery(report.lastDeliveredAt - acceptedAt);
  }
}
