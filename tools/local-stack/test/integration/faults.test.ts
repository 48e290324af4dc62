/**
 * Fault injection on a running stack (`stack.faults`), through the real SDK clients and a real
 * WebSocket client: each fault fails what it names, as AWS would fail it, and nothing else.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DescribeTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS } from '../../src/dynamodb.ts';
import { FIXTURES, managementClient } from '../support/helpers.ts';
import { useLocalStack, useRecordingStack } from '../support/stack-setup.ts';

const recording = useRecordingStack();
// Its handler accepts the batches the shard queue's mapping hands it, whatever they hold.
const queueing = useLocalStack({ handlerPath: FIXTURES.emfHandler });

afterEach(() => {
  recording.stack.faults.clear();
  queueing.stack.faults.clear();
});

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

/** What each of `calls` ended with, one at a time: 'ok', or the error's name and status. */
async function outcomesOf(calls: readonly (() => Promise<unknown>)[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const call of calls) {
    outcomes.push(
      await call().then(
        () => 'ok',
        (error: SdkError) => `${error.name} ${error.$metadata?.httpStatusCode}`,
      ),
    );
  }
  return outcomes;
}

/** An SQS client that tries once, so every injected failure is seen. */
function sqsClient(): SQSClient {
  return new SQSClient({
    endpoint: queueing.stack.sqsEndpoint,
    region: queueing.stack.region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
}

describe('failPosts', () => {
  it('fails the next count posts with 500 InternalServerErrorException, then posts again', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('outage');
    const impatient = managementClient(recording.stack, undefined, { maxAttempts: 1 });
    const post = (data: string) => () =>
      impatient.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
    // Act
    const fault = recording.stack.faults.failPosts({ count: 2 });
    const outcomes = await outcomesOf([post('1'), post('2'), post('3')]);
    impatient.destroy();
    // Assess
    expect(outcomes).toEqual([
      'InternalServerErrorException 500',
      'InternalServerErrorException 500',
      'ok',
    ]);
    expect(fault.injected).toBe(2);
    expect(await client.frame(0)).toBe('3');
    await client.close();
    expect(client.received).toEqual(['3']);
  });

  it("fails only the given recipients' posts, with the status asked for", async () => {
    // Prepare
    const slow = await recording.connect('full-buffer');
    const fast = await recording.connect('reading');
    const impatient = managementClient(recording.stack, undefined, { maxAttempts: 1 });
    const post = (connectionId: string) => () =>
      impatient.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'hi' }));
    // Act
    recording.stack.faults.failPosts({ status: 429, connectionIds: [slow.connectionId] });
    const outcomes = await outcomesOf([post(slow.connectionId), post(fast.connectionId)]);
    impatient.destroy();
    // Assess
    expect(outcomes).toEqual(['LimitExceededException 429', 'ok']);
    expect(await fast.client.frame(0)).toBe('hi');
    await Promise.all([slow.client.close(), fast.client.close()]);
  });

  it('lasts until clear() without a count or a time', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('until-clear');
    const impatient = managementClient(recording.stack, undefined, { maxAttempts: 1 });
    const post = () =>
      impatient.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' }));
    // Act
    recording.stack.faults.failPosts({ status: 503 });
    const during = await outcomesOf([post, post, post]);
    recording.stack.faults.clear();
    const after = await outcomesOf([post]);
    impatient.destroy();
    // Assess
    expect(during).toEqual(Array(3).fill('InternalServerErrorException 503'));
    expect(after).toEqual(['ok']);
    await client.close();
  });
});

describe('failShardSends', () => {
  it("fails the first attempts of each batch entry in the batch's Failed list", async () => {
    // Prepare
    const sqs = sqsClient();
    const send = () =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueing.stack.shardQueueUrl,
          Entries: [
            { Id: '0', MessageBody: '{"shard":0}' },
            { Id: '1', MessageBody: '{"shard":1}' },
          ],
        }),
      );
    // Act
    const fault = queueing.stack.faults.failShardSends({ firstAttempts: 2 });
    const attempts = [await send(), await send(), await send()];
    sqs.destroy();
    // Assess
    expect(attempts.map((output) => (output.Failed ?? []).map((entry) => entry.Id))).toEqual([
      ['0', '1'],
      ['0', '1'],
      [],
    ]);
    expect(attempts[0]?.Failed?.[0]).toMatchObject({ SenderFault: false, Code: 'InternalError' });
    expect(attempts[2]?.Successful?.map((entry) => entry.Id)).toEqual(['0', '1']);
    expect(fault.injected).toBe(4);
  });

  it('fails every SendMessage with 500 InternalError with all, and leaves the dead-letter queue alone', async () => {
    // Prepare
    const sqs = sqsClient();
    const sendTo = (queueUrl: string) => () =>
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"job":1}' }));
    // Act
    queueing.stack.faults.failShardSends({ all: true });
    const outcomes = await outcomesOf([
      sendTo(queueing.stack.shardQueueUrl),
      sendTo(queueing.stack.shardQueueUrl),
      sendTo(queueing.stack.deadLetterQueueUrl),
    ]);
    // Assess
    expect(outcomes).toEqual(['InternalError 500', 'InternalError 500', 'ok']);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueing.stack.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
    sqs.destroy();
  });

  it("fails the dead-letter queue's sends instead when asked", async () => {
    const sqs = sqsClient();
    queueing.stack.faults.failShardSends({ all: true, queue: 'deadLetter' });
    const outcomes = await outcomesOf([
      () =>
        sqs.send(
          new SendMessageCommand({
            QueueUrl: queueing.stack.deadLetterQueueUrl,
            MessageBody: '{"deadLettered":1}',
          }),
        ),
    ]);
    sqs.destroy();
    expect(outcomes).toEqual(['InternalError 500']);
  });
});

describe('failDynamoDb', () => {
  it('fails the next count calls of the operation with 500 InternalServerError, and no other', async () => {
    // Prepare
    const impatient = new DynamoDBClient({
      endpoint: recording.stack.dynamoEndpoint,
      region: recording.stack.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const query = () =>
      impatient.send(
        new QueryCommand({
          TableName: recording.stack.roomsTableName,
          KeyConditionExpression: '#room = :room',
          ExpressionAttributeNames: { '#room': contract.roomsTable.partitionKey },
          ExpressionAttributeValues: { ':room': { S: 'lobby' } },
        }),
      );
    const describe = () =>
      impatient.send(new DescribeTableCommand({ TableName: recording.stack.tableName }));
    // Act
    const fault = recording.stack.faults.failDynamoDb({ operation: 'Query', count: 2 });
    const outcomes = await outcomesOf([describe, query, query, query]);
    impatient.destroy();
    // Assess
    expect(outcomes).toEqual(['ok', 'InternalServerError 500', 'InternalServerError 500', 'ok']);
    expect(fault.injected).toBe(2);
  });
});

describe('killNextInvocation', () => {
  it("kills the container mid-invocation; the client gets API Gateway's error frame", async () => {
    // Prepare: a client whose next message keeps its invocation busy for a long while
    const { client } = await recording.connect('killed');
    // Act
    const kill = recording.stack.faults.killNextInvocation({ route: '$default', afterMs: 20 });
    client.sendJson({ do: 'slow', ms: 60_000 });
    // Assess
    expect(await kill.killed).toBe(true);
    expect(kill.injected).toBe(1);
    expect(JSON.parse(await client.frame(0))).toMatchObject({ message: 'Internal server error' });
    // The stack goes on: the next message is served by a fresh container.
    client.sendJson({ do: 'echo' });
    expect(JSON.parse(await client.frame(1))).toEqual({ do: 'echo' });
    await client.close();
  });

  it('waits for an invocation of its route, letting others through', async () => {
    // Prepare
    const kill = recording.stack.faults.killNextInvocation({ route: '$default', afterMs: 0 });
    // Act: a $connect runs (and lives), then a message is killed
    const { client } = await recording.connect('connect-survives');
    client.sendJson({ do: 'slow', ms: 60_000 });
    // Assess
    expect(await kill.killed).toBe(true);
    expect(JSON.parse(await client.frame(0))).toMatchObject({ message: 'Internal server error' });
    await client.close();
  });
});
