/**
 * The shard queue's event source mapping: SQS delivers broadcast shards (shard-job.ts) in
 * batches, and each record is run as its own part of a broadcast (fanout.ts). A record that
 * cannot be parsed is dropped and counted (retrying cannot fix it); a record whose work could
 * neither finish nor be handed off is reported as a batch item failure, so SQS delivers it again
 * after its visibility timeout (and to the dead-letter queue after the last receive).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { addCounts, emptyFanoutReport, runFanout } from '../broadcast/fanout.ts';
import { recordFanoutMetrics } from '../broadcast/fanout-metrics.ts';
import { parseShardJob } from '../broadcast/shard-job.ts';
import type { HandlerDeps, Invocation } from '../deps.ts';
import { fanoutDepsFor, pacerFor } from '../deps.ts';
import type { RouteOutcome } from './route.ts';

/** What a batch of shard records ends with: SQS's answer and the log line's fields. */
export interface ShardBatchOutcome {
  readonly response: SQSBatchResponse;
  readonly outcome: Omit<RouteOutcome, 'response'>;
}

/**
 * Runs every record of the batch concurrently (they share the invocation's deadline).
 * @param event - the SQS event
 * @param deps - the handler's dependencies
 * @param invocation - the running invocation
 * @returns the records to deliver again, and the counts for the log line
 */
export async function handleShardBatch(
  event: SQSEvent,
  deps: HandlerDeps,
  invocation: Invocation,
): Promise<ShardBatchOutcome> {
  const failures: string[] = [];
  const dropped: Record<string, number> = {};
  const total = emptyFanoutReport();
  // The records run at once: one pace for all their posts.
  const pacer = pacerFor(deps, invocation);
  await Promise.all(
    event.Records.map(async (record) => {
      const parsed = parseShardJob(record.body);
      if (!parsed.ok) {
        dropped[parsed.reason] = (dropped[parsed.reason] ?? 0) + 1;
        return;
      }
      const endpoint = deps.config.apigwEndpoint ?? parsed.job.endpoint;
      try {
        const report = await runFanout(
          parsed.job,
          fanoutDepsFor(deps, endpoint, invocation, pacer),
        );
        addCounts(total, report);
        const { message, cursor } = parsed.job;
        recordFanoutMetrics(deps.metrics, report, {
          room: message?.room ?? cursor?.room,
          acceptedAt: message?.acceptedAt,
        });
        // Recipients this invocation could neither reach nor hand off: run the record again.
        if (report.lost > 0 || report.lostListRemainder) failures.push(record.messageId);
      } catch {
        failures.push(record.messageId);
      }
    }),
  );
  const droppedCount = Object.values(dropped).reduce((sum, count) => sum + count, 0);
  return {
    response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) },
    outcome: {
      // Anything not delivered nor gone is an error: dead-lettered, lost, given back to SQS.
      level:
        failures.length > 0 || droppedCount > 0 || total.deadLettered > 0 || total.lost > 0
          ? 'error'
          : total.failed > 0
            ? 'warn'
            : 'info',
      outcome: 'shards',
      details: {
        records: event.Records.length,
        delivered: total.delivered,
        gone: total.gone,
        failed: total.failed,
        throttled: total.throttled,
        handedOff: total.handedOff,
        shards: total.shards,
        retried: total.retried,
        ...(total.deadLettered > 0 && {
          deadLettered: total.deadLettered,
          deadLetterReasons: total.deadLetterReasons,
        }),
        ...(total.deadLetteredRemainder && { deadLetteredRemainder: true }),
        ...(total.lost > 0 && { lost: total.lost }),
        ...(total.postedInline > 0 && { postedInline: total.postedInline }),
        ...(failures.length > 0 && { failedRecords: failures.length }),
        ...(droppedCount > 0 && { dropped }),
        ...(Object.keys(total.errorNames).length > 0 && { errors: total.errorNames }),
      },
    },
  };
}
