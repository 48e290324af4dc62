/**
 * What the dispatcher itself does, whatever the route: events it cannot route are answered with
 * a logged error and touch nothing, batches of shards are told from WebSocket events, no error
 * escapes to the caller, and every invocation writes exactly one log line.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SENDER, shardBody, sqsRecord, webSocketEvent } from './support/events.ts';
import { postedTo, rigPerTest } from './support/mocks.ts';

const setUp = rigPerTest();

describe('unknown route', () => {
  it('answers with a logged error and touches nothing', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    const response = await testRig.handler(webSocketEvent('sendmessage'));

    // Assess
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([
      { level: 'error', route: 'sendmessage', outcome: 'unknown_route' },
    ]);
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(testRig.managementApi.calls()).toHaveLength(0);
  });

  it('does not mistake inherited object keys for routes', async () => {
    const testRig = setUp();

    const response = await testRig.handler(webSocketEvent('toString'));

    expect(response).toEqual({ statusCode: 400 });
  });
});

describe('unknown event', () => {
  it('answers an event it does not know with a logged error', async () => {
    const testRig = setUp();

    const response = await testRig.handler({ detail: 'x' } as never);

    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([{ outcome: 'unknown_event', level: 'error' }]);
  });
});

describe('shard batches', () => {
  it('are recognised by their SQS records and answered with the records to deliver again', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      { Records: [sqsRecord('m1', shardBody(['a']))] },
      { getRemainingTimeInMillis: () => 9000, awsRequestId: 'req-1' },
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedTo(testRig)).toEqual(['a']);
    expect(testRig.logs).toMatchObject([
      { route: 'sqs', connectionId: undefined, requestId: 'req-1', outcome: 'shards' },
    ]);
  });

  it('are not taken from records of another event source', async () => {
    // Prepare: records shaped like the shard queue's, but from S3
    const testRig = setUp();
    const foreign = { ...sqsRecord('m1', shardBody(['a'])), eventSource: 'aws:s3' };

    // Act
    const response = await testRig.handler({ Records: [foreign] } as SQSEvent);

    // Assess
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.managementApi.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ level: 'error', outcome: 'unknown_event' }]);
  });
});

describe('errors', () => {
  it('never escape a route: the caller gets a 500 and the log the error name only', async () => {
    // Prepare
    const testRig = setUp();
    const failure = Object.assign(new Error('secret detail of table connections'), {
      name: 'InternalServerError',
    });
    testRig.dynamoDb.on(DeleteCommand).rejects(failure);

    // Act
    const response = await testRig.handler(webSocketEvent('$disconnect'));

    // Assess
    expect(response).toEqual({ statusCode: 500 });
    expect(testRig.logs).toMatchObject([
      { level: 'error', route: '$disconnect', outcome: 'error', error: 'InternalServerError' },
    ]);
    expect(JSON.stringify(testRig.logs)).not.toContain('secret');
  });

  it('never escape a batch of shards: every record goes back to SQS', async () => {
    // Prepare: reading a record's body throws, so nothing of the batch is known to be done
    const testRig = setUp();
    const unreadable = (messageId: string): SQSEvent['Records'][number] =>
      Object.defineProperty(sqsRecord(messageId, ''), 'body', {
        get: () => {
          throw new TypeError('unreadable');
        },
      });

    // Act
    const response = await testRig.handler({ Records: [unreadable('m1'), unreadable('m2')] });

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
    });
    expect(testRig.logs).toMatchObject([
      { level: 'error', route: 'sqs', outcome: 'error', error: 'TypeError' },
    ]);
  });
});

describe('the log', () => {
  it('has one line per invocation, with its route, connection, request id and duration', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    const requestId = webSocketEvent('$connect').requestContext.requestId;

    // Act
    await testRig.handler(webSocketEvent('$connect'));
    await testRig.handler(webSocketEvent('$default', { body: '{"action":"ping"}' }));
    await testRig.handler(webSocketEvent('$disconnect'));
    await testRig.handler(webSocketEvent('nosuchroute'));
    await testRig.handler(
      { Records: [sqsRecord('m1', shardBody(['a']))] },
      {
        getRemainingTimeInMillis: () => 9000,
        awsRequestId: 'req-9',
      },
    );

    // Assess
    expect(
      testRig.logs.map(({ route, connectionId, requestId: id }) => [route, connectionId, id]),
    ).toEqual([
      ['$connect', SENDER, requestId],
      ['$default', SENDER, requestId],
      ['$disconnect', SENDER, requestId],
      ['nosuchroute', SENDER, requestId],
      ['sqs', undefined, 'req-9'],
    ]);
    for (const line of testRig.logs) {
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(line.durationMs)).toBe(true);
      expect(['info', 'warn', 'error']).toContain(line.level);
    }
  });
});
