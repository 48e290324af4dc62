/**
 * `$default`'s dispatch on the frame's kind: a keep-alive ping answered with nothing, and an
 * invalid frame answered to its sender alone; both spend from the sender's budget, as every
 * frame does. Chat messages and history requests have their own
 * files (chat-message.test.ts, history-request.test.ts).
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import { conditionFailedError, decodePosted, rigPerTest } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('$default', () => {
  it('answers a ping with nothing at all', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { body: '{"action":"ping"}' }),
    );

    // Assess: a ping spends a token of its sender like any frame, and nothing else
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.dynamoDb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'UpdateCommand',
    ]);
    expect(testRig.managementApi.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ outcome: 'ping' }]);
  });

  it('sends an invalid frame back to its sender only, as an error event', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: '   ' }) }),
    );

    // Assess: the frame spent a token of its sender first, and nothing else was read or written
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.dynamoDb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'UpdateCommand',
    ]);
    const posts = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(posts.map((call) => call.args[0].input.ConnectionId)).toEqual([SENDER]);
    expect(decodePosted(posts[0]?.args[0].input.Data)).toEqual({
      type: 'error',
      code: 'message_empty',
      message: '"message" must not be empty.',
    });
    expect(testRig.logs).toMatchObject([
      { level: 'warn', outcome: 'invalid', code: 'message_empty', replied: true },
    ]);
  });

  it('answers an unknown action with unknown_action, and never broadcasts it', async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', {
        connectionId: SENDER,
        body: chatFrame({ action: 'nope', message: 'x' }),
      }),
    );

    // Assess: the sender alone hears of it; the room is never read
    expect(response).toEqual({ statusCode: 400 });
    const posts = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(posts.map((call) => call.args[0].input.ConnectionId)).toEqual([SENDER]);
    expect(decodePosted(posts[0]?.args[0].input.Data)).toMatchObject({
      type: 'error',
      code: 'unknown_action',
    });
    expect(testRig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ outcome: 'invalid', code: 'unknown_action' }]);
  });

  it('rate-limits a keep-alive ping like any frame, and answers a refused one with nothing', async () => {
    // Prepare: the sender's bucket has no token left
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { body: chatFrame({ action: 'ping' }) }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 429 });
    expect(testRig.dynamoDb.commandCalls(UpdateCommand).length).toBeGreaterThan(0);
    expect(testRig.managementApi.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([
      { level: 'warn', outcome: 'rate_limited', frame: 'ping', replied: false },
    ]);
  });

  it('answers a refused invalid frame with nothing, so a flood of them costs no posts', async () => {
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());

    await testRig.handler(webSocketEvent('$default', { body: 'not json' }));

    expect(testRig.managementApi.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ outcome: 'rate_limited', frame: 'invalid' }]);
  });
});
