/**
 * Batches of broadcast shards from the shard queue: each record's recipients posted, a malformed
 * record dropped, and a record whose work could not be finished nor handed off given back to SQS.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { shardBody, sqsRecord } from '../support/events.ts';
import {
  decodePosted,
  NOW,
  postedTo,
  recordingDeadLetters,
  recordingQueue,
  rigPerTest,
} from '../support/mocks.ts';

const setUp = rigPerTest();

describe('shard batches from SQS', () => {
  it("posts each record's recipients, drops a malformed record, and logs one line", async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      {
        Records: [
          sqsRecord('m1', shardBody(['a', 'b'])),
          sqsRecord('m2', 'not json'),
          sqsRecord('m3', shardBody(['c'])),
        ],
      },
      { getRemainingTimeInMillis: () => 9000, awsRequestId: 'req-1' },
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b', 'c']);
    expect(
      decodePosted(
        testRig.managementApi.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data,
      ),
    ).toEqual({
      type: 'message',
      id: 'x',
    });
    expect(testRig.logs).toEqual([
      expect.objectContaining({
        route: 'sqs',
        requestId: 'req-1',
        outcome: 'shards',
        level: 'error',
        records: 3,
        delivered: 3,
        dropped: { 'not JSON': 1 },
      }),
    ]);
  });

  it('reports a record whose recipients could neither be reached nor handed off, so SQS retries it', async () => {
    // Prepare: no time left to start a post, and the queue refuses the hand-off
    const queue = recordingQueue();
    queue.refuse = true;
    const testRig = setUp({}, { queue });

    // Act
    const response = await testRig.handler(
      { Records: [sqsRecord('m1', shardBody(['a']))] },
      { getRemainingTimeInMillis: () => 100, awsRequestId: 'req-2' },
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(postedTo(testRig)).toEqual([]);
    expect(testRig.logs).toMatchObject([{ outcome: 'shards', failedRecords: 1, level: 'error' }]);
  });

  it('counts recipients the dead-letter queue refused, logs an error and gives the record back to SQS', async () => {
    // Prepare: a message past its window whose recipient fails, and a dead-letter queue that refuses
    const deadLetters = recordingDeadLetters();
    deadLetters.refuse = true;
    const testRig = setUp({}, { deadLetters });
    testRig.managementApi.on(PostToConnectionCommand).rejects(
      Object.assign(new Error('Internal'), {
        name: 'InternalServerErrorException',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const body = JSON.stringify({
      v: 1,
      endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      payload: '{"type":"message"}',
      attempt: 3,
      recipients: ['a'],
      message: { id: 'm', room: 'lobby', acceptedAt: NOW.getTime() - 120_000 },
    });

    // Act
    const response = await testRig.handler({ Records: [sqsRecord('m1', body)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(testRig.logs).toMatchObject([{ level: 'error', outcome: 'shards', lost: 1 }]);
    expect(testRig.metrics[0]?.counts.get('deadLetterFailed')).toBe(1);
  });

  it("posts through APIGW_ENDPOINT when it is set, not the record's endpoint", async () => {
    // Prepare
    const testRig = setUp({ apigwEndpoint: 'http://127.0.0.1:4001/prod' });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler({ Records: [sqsRecord('m1', shardBody(['a']))] });

    // Assess
    expect(testRig.clientEndpoints).toEqual(['http://127.0.0.1:4001/prod']);
    expect(postedTo(testRig)).toEqual(['a']);
  });

  it('publishes one metrics record for the whole batch, its counts added up', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler({
      Records: [sqsRecord('m1', shardBody(['a', 'b'])), sqsRecord('m2', shardBody(['c']))],
    });

    // Assess
    expect(testRig.metrics).toHaveLength(1);
    expect(testRig.metrics[0]?.counts.get('delivered')).toBe(3);
  });

  it("names the rooms of the batch's broadcasts in its metrics record", async () => {
    // Prepare: a shard of a message, and the rest of another room's list
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });
    const shard = JSON.stringify({
      ...JSON.parse(shardBody(['a'])),
      message: { id: 'm', room: 'support', acceptedAt: NOW.getTime() },
    });
    const cursor = JSON.stringify({
      ...JSON.parse(shardBody([])),
      recipients: undefined,
      cursor: { room: 'lobby' },
    });

    // Act
    await testRig.handler({ Records: [sqsRecord('m1', shard), sqsRecord('m2', cursor)] });

    // Assess
    expect(testRig.metrics).toHaveLength(1);
    expect(testRig.metrics[0]?.room?.split(',').toSorted()).toEqual(['lobby', 'support']);
  });

  it('logs a batch that went well at level info, with its counts', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler({
      Records: [sqsRecord('m1', shardBody(['a', 'b'])), sqsRecord('m2', shardBody(['c']))],
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(testRig.logs).toHaveLength(1);
    expect(testRig.logs[0]).toMatchObject({
      level: 'info',
      outcome: 'shards',
      records: 2,
      delivered: 3,
      gone: 0,
      failed: 0,
    });
    expect(testRig.logs[0]).not.toHaveProperty('dropped');
    expect(testRig.logs[0]).not.toHaveProperty('failedRecords');
  });
});
