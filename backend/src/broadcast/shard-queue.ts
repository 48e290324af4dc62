/**
 * The SQS adapter for broadcast shards: SendMessageBatch in groups SQS accepts (at most 10
 * entries and 256 KiB per call), with one retry of the entries SQS reports as failed.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { ShardJob } from './shard-job.ts';
import { serializeShardJob } from './shard-job.ts';

/** Where shards go. */
export interface ShardQueue {
  /**
   * Enqueues jobs for other invocations.
   * @param jobs - the jobs
   * @param delaySeconds - how long SQS hides them first (retries wait a little)
   * @returns the jobs that could not be enqueued (empty when all were)
   */
  enqueue(jobs: readonly ShardJob[], delaySeconds?: number): Promise<ShardJob[]>;
}

/**
 * SendMessageBatch limits (contract.json; the local SQS enforces the same): entries per call,
 * and the bytes of a call's messages together.
 */
const MAX_ENTRIES = contract.sqs.maxBatchEntries;
const MAX_BATCH_BYTES = contract.sqs.maxPayloadBytes;

/** Options of {@link createShardQueue}. */
export interface ShardQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/**
 * Builds the queue adapter.
 * @param options - the SQS client and the queue's URL
 * @returns the adapter
 */
export function createShardQueue(options: ShardQueueOptions): ShardQueue {
  const { client, queueUrl } = options;

  const sendBatch = async (bodies: readonly string[], delaySeconds: number): Promise<number[]> => {
    try {
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((body, index) => ({
            Id: String(index),
            MessageBody: body,
            ...(delaySeconds > 0 && { DelaySeconds: delaySeconds }),
          })),
        }),
      );
      return (result.Failed ?? []).map((failure) => Number(failure.Id));
    } catch {
      // The whole call failed (network, throttling after the SDK's own retries).
      return bodies.map((_, index) => index);
    }
  };

  return {
    async enqueue(jobs, delaySeconds = 0) {
      const bodies = jobs.map(serializeShardJob);
      const unsent: ShardJob[] = [];
      for (const group of groupForBatches(bodies)) {
        let pending = group;
        // SQS reports entries it could not take one by one: send those once more.
        for (let round = 0; round < 2 && pending.length > 0; round++) {
          const bodiesOfRound = pending.map((index) => bodies[index] as string);
          const failed = await sendBatch(bodiesOfRound, delaySeconds);
          pending = failed.map((position) => pending[position] as number);
        }
        for (const index of pending) unsent.push(jobs[index] as ShardJob);
      }
      return unsent;
    },
  };
}

/**
 * Groups message bodies into SendMessageBatch calls (pure).
 * @param bodies - serialised jobs
 * @returns groups of indexes into `bodies`, each within SQS's entry and size limits
 */
export function groupForBatches(bodies: readonly string[]): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = Buffer.byteLength(body);
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}
