/**
 * The token every `$default` frame spends before any other work (spendToken), and the answer to a
 * sender over its rate limit.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import {
  conditionFailedError,
  decodePosted,
  postedTo,
  recordingQueue,
  rigPerTest,
} from '../support/mocks.ts';

const setUp = rigPerTest();

describe('rate limit', () => {
  it('spends a token of the sender before any broadcast work', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess: the conditional write on the sender's own item comes first
    const calls = testRig.dynamoDb.calls().map((call) => call.args[0].constructor.name);
    expect(calls[0]).toBe('UpdateCommand');
    expect(testRig.dynamoDb.commandCalls(UpdateCommand)[0]?.args[0].input.Key).toEqual({
      connectionId: SENDER,
    });
  });

  it('over the limit, answers only the sender with rate_limited and reads no recipients', async () => {
    // Prepare: both conditional writes fail, as for a bucket with no token left
    const queue = recordingQueue();
    const testRig = setUp({}, { queue });
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'flood' }) }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 429 });
    expect(testRig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(queue.enqueued).toEqual([]);
    expect(postedTo(testRig)).toEqual([SENDER]);
    const posted = decodePosted(
      testRig.managementApi.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data,
    );
    expect(posted).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: expect.stringContaining('Too many messages'),
      retryAfterMs: 500,
    });
    expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'rate_limited', replied: true }]);
    expect(JSON.stringify(testRig.logs)).not.toContain('flood');
  });
});
