/**
 * `$default`'s dispatch on the frame's kind: a keep-alive ping answered with nothing, and an
 * invalid frame answered to its sender alone. Chat messages and history requests have their own
 * files (chat-message.test.ts, history-request.test.ts).
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import { decodePosted, rigPerTest } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('$default', () => {
  it('answers a ping with nothing at all', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { body: '{"action":"ping"}' }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
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

    // Assess
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
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

  it('never rate-limits a keep-alive ping', async () => {
    const testRig = setUp();

    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ action: 'ping' }) }));

    expect(testRig.dynamoDb.calls()).toHaveLength(0);
  });
});
