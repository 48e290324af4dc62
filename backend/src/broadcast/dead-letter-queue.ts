/**
 * The SQS adapter for the dead-letter queue, as the function writes to it itself: recipients
 * whose message's delivery window ended, refused for good, or that nobody could take. Each record
 * is still a valid shard job (shard-job.ts), with the reason beside it, so the queue can be
 * redriven to the shard queue as it is; a redriven record gets one more attempt per recipient.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ShardJob } from './shard-job.ts';
import { serializeShardJob } from './shard-job.ts';

/** Where undeliverable recipients go. */
export interface DeadLetterQueue {
  /**
   * Puts jobs in the dead-letter queue, each marked with the reason.
   * @param jobs - the jobs (recipients, or the rest of a room as a cursor)
   * @param reason - why, e.g. `window_ended`
   * @returns the jobs SQS refused (empty when all were kept)
   */
  put(jobs: readonly ShardJob[], reason: string): Promise<ShardJob[]>;
}

/** Options of {@link createDeadLetterQueue}. */
export interface DeadLetterQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/**
 * Builds the adapter: one SendMessage per job (they are few, and each is up to a shard).
 * @param options - the SQS client and the dead-letter queue's URL
 * @returns the adapter
 */
export function createDeadLetterQueue(options: DeadLetterQueueOptions): DeadLetterQueue {
  const { client, queueUrl } = options;
  return {
    async put(jobs, reason) {
      const refused: ShardJob[] = [];
      await Promise.all(
        jobs.map(async (job) => {
          try {
            await client.send(
              new SendMessageCommand({
                QueueUrl: queueUrl,
                MessageBody: serializeShardJob({ ...job, deadLetter: { reason } }),
              }),
            );
          } catch {
            refused.push(job);
          }
        }),
      );
      return refused;
    },
  };
}
