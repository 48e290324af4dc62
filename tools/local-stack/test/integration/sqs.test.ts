/**
 * The local SQS through the real `@aws-sdk/client-sqs` (its JSON protocol), and the event source
 * mapping's delivery rules with a scripted function.
 */

import { request as httpRequest } from 'node:http';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/dynamodb.ts';
import { EventSourceMapping, failedRecordIds } from '../../src/event-source-mapping.ts';
import type { InvocationOutcome } from '../../src/lambda-runner.ts';
import { type LocalSqs, type ReceivedMessage, startLocalSqs } from '../../src/sqs.ts';
import { sleep } from '../support/helpers.ts';

let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs({
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    queues: [
      {
        name: 'work',
        visibilityTimeoutSeconds: 1,
        retentionSeconds: 3600,
        redrive: { deadLetterQueue: 'work-dlq', maxReceiveCount: 2 },
      },
      { name: 'work-dlq', visibilityTimeoutSeconds: 30, retentionSeconds: 3600 },
      { name: 'mapped', visibilityTimeoutSeconds: 1, retentionSeconds: 3600 },
    ],
  });
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

async function receiveAll(queueUrl: string): Promise<{ Body?: string; ReceiptHandle?: string }[]> {
  const output = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
  );
  return output.Messages ?? [];
}

/** A POST in SQS's JSON protocol with `headers` added, as a web page's fetch could send it. */
function rawPost(
  endpoint: string,
  target: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      endpoint,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': target,
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('the local SQS, through the SDK', () => {
  it('takes a batch, hands it out, hides it for the visibility timeout, then offers it again', async () => {
    // Prepare
    const queueUrl = sqs.queueUrl('work');
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );

    // Act
    const first = await receiveAll(queueUrl);
    const whileHidden = await receiveAll(queueUrl);
    await sleep(1200);
    const again = await receiveAll(queueUrl);
    for (const message of again) {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    await sleep(1200);

    // Assess
    expect(first.map((message) => message.Body).toSorted()).toEqual(['one', 'two']);
    expect(whileHidden).toEqual([]);
    expect(again.map((message) => message.Body).toSorted()).toEqual(['one', 'two']);
    expect(await receiveAll(queueUrl)).toEqual([]);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    // Prepare
    const queueUrl = sqs.queueUrl('work');
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [{ Id: 'p', MessageBody: 'poison' }],
      }),
    );

    // Act: received twice and never deleted
    await receiveAll(queueUrl);
    await sleep(1100);
    await receiveAll(queueUrl);
    await sleep(1100);
    const third = await receiveAll(queueUrl);

    // Assess
    expect(third).toEqual([]);
    const attributes = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqs.queueUrl('work-dlq'),
        AttributeNames: ['All'],
      }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('1');
    expect((await receiveAll(sqs.queueUrl('work-dlq'))).map((message) => message.Body)).toEqual([
      'poison',
    ]);
  });

  it('refuses a request with a browser Origin header, and sends nothing on', async () => {
    // Prepare: what a page could send through fetch, a forged shard for a whole room
    const queueUrl = sqs.queueUrl('mapped');
    const forged = JSON.stringify({ QueueUrl: queueUrl, MessageBody: '{"forged":true}' });
    // Act
    const answer = await rawPost(sqs.endpoint, 'AmazonSQS.SendMessage', forged, {
      origin: 'http://evil.example',
    });
    // Assess
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({
      __type: 'com.amazonaws.sqs#AccessDeniedException',
    });
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('answers the same request without Origin, as the SDK sends it', async () => {
    // Prepare
    const queueUrl = sqs.queueUrl('mapped');
    // Act
    const answer = await rawPost(
      sqs.endpoint,
      'AmazonSQS.GetQueueAttributes',
      JSON.stringify({ QueueUrl: queueUrl }),
      {},
    );
    // Assess: the guard refuses browsers only, not this form of request
    expect(answer.status).toBe(200);
  });

  it('answers an unknown queue with QueueDoesNotExist', async () => {
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope` })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('the event source mapping', () => {
  const record = (messageId: string): ReceivedMessage => ({
    messageId,
    receiptHandle: `${messageId}#h`,
    body: '',
    md5OfBody: '',
    receiveCount: 1,
    sentTimestamp: 0,
    firstReceiveTimestamp: 0,
  });

  it('reads partial batch failures as Lambda does', () => {
    const batch = [record('a'), record('b')];

    expect(failedRecordIds({ batchItemFailures: [] }, batch)).toEqual(new Set());
    expect(failedRecordIds(undefined, batch)).toEqual(new Set());
    expect(failedRecordIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, batch)).toEqual(
      new Set(['b']),
    );
    // A report naming a record not in the batch, or a malformed one, fails the whole batch
    expect(failedRecordIds({ batchItemFailures: [{ itemIdentifier: 'z' }] }, batch)).toEqual(
      new Set(['a', 'b']),
    );
    expect(failedRecordIds({ batchItemFailures: 'all' }, batch)).toEqual(new Set(['a', 'b']));
  });

  it('delivers SQS events, deletes what succeeded, retries failures and errors, within its maximum concurrency', async () => {
    // Prepare: the function fails record "flaky" once (reported), throws on "boom" once, and
    // takes 100 ms per batch so batches overlap
    const queue = sqs.queue('mapped');
    const seen: string[] = [];
    let running = 0;
    let peak = 0;
    const reported = new Set<string>();
    const invoke = async (event: unknown): Promise<InvocationOutcome> => {
      running++;
      peak = Math.max(peak, running);
      await sleep(100);
      running--;
      const records = (
        event as { Records: { messageId: string; body: string; eventSource: string }[] }
      ).Records;
      expect(records.every((one) => one.eventSource === 'aws:sqs')).toBe(true);
      seen.push(...records.map((one) => one.body));
      const body = records[0]?.body ?? '';
      if (!reported.has(body) && (body === 'flaky' || body === 'boom')) {
        reported.add(body);
        if (body === 'boom')
          return { ok: false, errorType: 'Error', errorMessage: 'boom', awsRequestId: 'x' };
        return {
          ok: true,
          result: { batchItemFailures: [{ itemIdentifier: records[0]?.messageId }] },
          awsRequestId: 'x',
        };
      }
      return { ok: true, result: null, awsRequestId: 'x' };
    };
    const mapping = new EventSourceMapping({
      queue,
      region: 'us-east-1',
      batchSize: 1,
      maximumConcurrency: 2,
      invoke,
      log: () => {},
    });
    const bodies = ['flaky', 'boom', ...Array.from({ length: 8 }, (_, index) => `ok${index}`)];
    for (const body of bodies) queue.send(body);

    // Act
    mapping.start();
    for (
      let waited = 0;
      waited < 8000 && queue.counts().inFlight + queue.counts().visible > 0;
      waited += 100
    ) {
      await sleep(100);
    }
    await mapping.stop();

    // Assess: everything delivered, the two failures once more, never more than 2 at once
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(seen.toSorted()).toEqual([...bodies, 'boom', 'flaky'].toSorted());
    expect(peak).toBe(2);
  });
});
