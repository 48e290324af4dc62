import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseShardJob, type ShardJob } from '../../src/broadcast/shard-job.ts';
import { createShardQueue, groupForBatches } from '../../src/broadcast/shard-queue.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/awsome-chat-fanout';
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const job = (index: number, payloadBytes = 10): ShardJob => ({
  endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
  payload: 'x'.repeat(payloadBytes),
  attempt: 1,
  recipients: [`c${index}=`],
});

const queue = () =>
  createShardQueue({
    client: new SQSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    }),
    queueUrl: QUEUE_URL,
  });

describe('groupForBatches', () => {
  it('keeps every call within 10 entries and 256 KiB', () => {
    const small = Array.from({ length: 23 }, () => 'x');
    const big = Array.from({ length: 5 }, () => 'x'.repeat(100 * 1024));

    expect(groupForBatches(small).map((group) => group.length)).toEqual([10, 10, 3]);
    expect(groupForBatches(big)).toEqual([[0, 1], [2, 3], [4]]);
  });
});

describe('the shard queue', () => {
  it('sends jobs in batches, with the delay, as bodies the worker parses back', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const jobs = Array.from({ length: 12 }, (_, index) => job(index));

    // Act
    const unsent = await queue().enqueue(jobs, 2);

    // Assess
    expect(unsent).toEqual([]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]?.QueueUrl).toBe(QUEUE_URL);
    const bodies = calls.flatMap((input) => input.Entries ?? []);
    expect(bodies.every((entry) => entry.DelaySeconds === 2)).toBe(true);
    expect(bodies.map((entry) => parseShardJob(entry.MessageBody ?? ''))).toEqual(
      jobs.map((expected) => ({ ok: true, job: expected })),
    );
  });

  it('sends the entries SQS reported as failed once more, and hands back what still failed', async () => {
    // Prepare: entry 1 fails twice, entry 2 once
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: '1', Code: 'x', SenderFault: false },
          { Id: '2', Code: 'x', SenderFault: false },
        ],
      })
      .resolvesOnce({ Failed: [{ Id: '0', Code: 'x', SenderFault: false }] });
    const jobs = [job(0), job(1), job(2)];

    // Act
    const unsent = await queue().enqueue(jobs);

    // Assess: the retry carried jobs 1 and 2 (as its entries 0 and 1); its entry 0 is job 1
    const retry = sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries ?? [];
    expect(retry.map((entry) => parseShardJob(entry.MessageBody ?? ''))).toEqual([
      { ok: true, job: jobs[1] },
      { ok: true, job: jobs[2] },
    ]);
    expect(unsent).toEqual([jobs[1]]);
  });

  it('hands back every job when SQS cannot be reached', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('connect ECONNREFUSED'));
    const jobs = [job(0), job(1)];

    expect(await queue().enqueue(jobs)).toEqual(jobs);
  });
});
