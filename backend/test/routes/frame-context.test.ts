/**
 * The token every `$default` frame spends before any other work (spendToken): the sender's room it
 * reads (the default room for a connection stored before rooms existed), and the answer to a
 * sender over its rate limit.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM } from '../../../contract/room-name.ts';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import {
  CONNECTIONS_TABLE,
  conditionFailedError,
  decodePosted,
  goneError,
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

  it('puts a sender whose item has no room, stored before rooms existed, in the default room', async () => {
    // Prepare: the token's write returns the sender's item without a room
    const testRig = setUp();
    testRig.dynamoDb
      .on(UpdateCommand, { TableName: CONNECTIONS_TABLE })
      .resolves({ Attributes: { connectionId: SENDER } });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    const query = testRig.dynamoDb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.ExpressionAttributeValues).toMatchObject({ ':room': DEFAULT_ROOM });
    const [post] = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(post?.args[0].input.Data)).toMatchObject({ room: DEFAULT_ROOM });
    expect(testRig.logs).toMatchObject([{ outcome: 'broadcast', room: DEFAULT_ROOM }]);
  });

  it('tells the sender the wait in whole seconds, rounded up, and logs it in milliseconds', async () => {
    // Prepare: an empty bucket refilled at 2 tokens a second has a token again in 500 ms
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    const [post] = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(post?.args[0].input.Data)).toMatchObject({
      message: 'Too many messages: wait 1 s before sending again.',
    });
    expect(testRig.logs).toMatchObject([{ outcome: 'rate_limited', retryAfterMs: 500 }]);
  });

  it('refuses a history request over the limit too, before reading the room', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ action: 'history' }) }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 429 });
    expect(testRig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(postedTo(testRig)).toEqual([SENDER]);
    expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'rate_limited' }]);
  });

  it('still answers 429 when the sender cannot be told, and logs that it was not', async () => {
    // Prepare: the bucket is empty and the sender has left
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());
    testRig.managementApi.on(PostToConnectionCommand).rejects(goneError());

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 429 });
    expect(testRig.logs).toMatchObject([{ outcome: 'rate_limited', replied: false }]);
  });
});
