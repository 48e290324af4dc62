/**
 * What one invocation's part of a broadcast adds to the invocation's metrics.
 */
import type { MetricsRecorder } from '../metrics.ts';
import type { FanoutReport } from './fanout.ts';

/**
 * Records a fan-out report's counts, and its time to last delivery when the message's
 * acceptance time is known.
 * @param metrics - the invocation's metrics
 * @param report - what the invocation did with its part of the broadcast
 * @param acceptedAt - when the message was accepted (epoch ms), if known
 */
export function recordFanoutMetrics(
  metrics: MetricsRecorder,
  report: FanoutReport,
  acceptedAt: number | undefined,
): void {
  metrics.count('delivered', report.delivered);
  metrics.count('gone', report.gone);
  metrics.count('throttled', report.throttled);
  metrics.count('retried', report.retried);
  metrics.count('handedOff', report.handedOff);
  if (acceptedAt !== undefined && report.lastDeliveredAt !== undefined) {
    metrics.timeToLastDelivery(report.lastDeliveredAt - acceptedAt);
  }
}
