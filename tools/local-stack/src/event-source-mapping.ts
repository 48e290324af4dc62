/**
 * The local stand-in for a Lambda event source mapping on an SQS queue: pollers receive batches
 * and invoke the function with them, as Lambda does:
 *
 * - it starts with five concurrent batches and adds up to five more each second while messages
 *   wait, never more than the mapping's maximum concurrency;
 * - a batch the function processed is deleted, except the records it reports in
 *   `batchItemFailures` (ReportBatchItemFailures);
 * - after a function error, a timeout or a throttle nothing is deleted: the records become
 *   visible again when their visibility timeout ends, and the queue's redrive policy moves a
 *   record that keeps failing to its dead-letter queue.
 *
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import type { InvocationOutcome } from './lambda-runner.ts';
import type { LocalQueue, ReceivedMessage } from './sqs.ts';

/** Concurrent batches a mapping starts with, and adds per second while messages wait. */
const INITIAL_POLLERS = 5;
const POLLERS_ADDED_PER_SECOND = 5;
/** Long-poll wait of one receive. */
const RECEIVE_WAIT_MS = 1000;

/** How the mapping behaves; the Terraform variables of the same names set them on AWS. */
export interface EventSourceMappingOptions {
  readonly queue: LocalQueue;
  readonly region: string;
  /** Records per invocation (`batch_size`). */
  readonly batchSize: number;
  /** Most concurrent invocations (`scaling_config.maximum_concurrency`, 2-1000). */
  readonly maximumConcurrency: number;
  /** Invokes the function synchronously with an SQS event. */
  readonly invoke: (event: unknown) => Promise<InvocationOutcome>;
  /** One line per invocation, like the gateway's. */
  readonly log: (line: string) => void;
}

/** Polls a queue and invokes the function with its records. */
export class EventSourceMapping {
  readonly #options: EventSourceMappingOptions;
  readonly #stopping = new AbortController();
  readonly #pollers = new Set<Promise<void>>();
  #scaler: NodeJS.Timeout | undefined;
  #busy = 0;

  constructor(options: EventSourceMappingOptions) {
    this.#options = options;
  }

  /** Starts polling. */
  start(): void {
    this.#scaleTo(Math.min(INITIAL_POLLERS, this.#options.maximumConcurrency));
    this.#scaler = setInterval(() => {
      // Every poller busy and messages still waiting: scale up, as Lambda does.
      const { visible } = this.#options.queue.counts();
      if (visible > 0 && this.#busy >= this.#pollers.size) {
        this.#scaleTo(
          Math.min(this.#options.maximumConcurrency, this.#pollers.size + POLLERS_ADDED_PER_SECOND),
        );
      }
    }, 1000).unref();
  }

  /** Stops polling and waits for the invocations in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#scaler);
    this.#stopping.abort();
    await Promise.all(this.#pollers);
  }

  #scaleTo(count: number): void {
    while (this.#pollers.size < count && !this.#stopping.signal.aborted) {
      const poller: Promise<void> = this.#poll().finally(() => this.#pollers.delete(poller));
      this.#pollers.add(poller);
    }
  }

  async #poll(): Promise<void> {
    const { queue, batchSize } = this.#options;
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      const records = queue.receive(batchSize);
      if (records.length === 0) {
        await queue.waitForMessages(RECEIVE_WAIT_MS, signal);
        continue;
      }
      this.#busy++;
      try {
        await this.#deliver(records);
      } finally {
        this.#busy--;
      }
    }
  }

  async #deliver(records: readonly ReceivedMessage[]): Promise<void> {
    const { queue, region, invoke, log } = this.#options;
    const started = Date.now();
    const outcome = await invoke({
      Records: records.map((record) => ({
        messageId: record.messageId,
        receiptHandle: record.receiptHandle,
        body: record.body,
        attributes: {
          ApproximateReceiveCount: String(record.receiveCount),
          SentTimestamp: String(record.sentTimestamp),
          SenderId: 'AROAEXAMPLELOCAL',
          ApproximateFirstReceiveTimestamp: String(record.firstReceiveTimestamp),
        },
        messageAttributes: {},
        md5OfBody: record.md5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: region,
      })),
    });
    const elapsed = `${Date.now() - started} ms`;
    if (!outcome.ok) {
      // Nothing is deleted: the records come back after their visibility timeout.
      log(
        `sqs         ${queue.name} ${records.length} record(s) failed: ${outcome.errorType} (${elapsed})`,
      );
      return;
    }
    const failed = failedRecordIds(outcome.result, records);
    for (const record of records)
      if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
    const retried = failed.size > 0 ? `, ${failed.size} to retry` : '';
    log(`sqs         ${queue.name} ${records.length} record(s) ok${retried} (${elapsed})`);
  }
}

/**
 * The records a function reported as failed. A malformed report, or one naming a record that
 * was not in the batch, fails the whole batch, as Lambda treats it.
 * @param result - what the function returned
 * @param records - the batch
 * @returns the message ids to leave in the queue
 */
export function failedRecordIds(result: unknown, records: readonly ReceivedMessage[]): Set<string> {
  const all = new Set(records.map((record) => record.messageId));
  if (result === null || result === undefined) return new Set();
  if (typeof result !== 'object' || !('batchItemFailures' in result)) return new Set();
  const failures = (result as { batchItemFailures: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}
