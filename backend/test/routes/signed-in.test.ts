/**
 * The chat function in an auth mode, through the handler: `$connect` stores the verified sender
 * and answers with the chat's subprotocol; every message carries the verified name and sender id,
 * whatever name the frame gives; the user's budget is spent, never the connection's; and an event
 * without the authorizer's context (a stage whose `$connect` lacks the authorizer) is refused.
 * Without sign-in, nothing of this changes what a client sees.
 */
import {
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import {
  CONNECTIONS_TABLE,
  conditionFailedError,
  decodePosted,
  MESSAGE_ID,
  NOW,
  postedTo,
  ROOMS_TABLE,
  rigPerTest,
} from '../support/mocks.ts';

const setUp = rigPerTest();
const ADA = { senderId: 'AdaAdaAdaAdaAda0', senderName: 'Ada Lovelace' };
const authorizer = { ...ADA, room: 'support', protocolVersion: '3' };

describe('$connect, signed in', () => {
  it("stores the verified sender and its person, and answers with the chat's subprotocol", async () => {
    // Prepare
    const testRig = setUp({ authMode: 'cognito' });

    // Act
    const response = await testRig.handler(
      webSocketEvent('$connect', {
        connectionId: 'c1',
        headers: { 'Sec-WebSocket-Protocol': 'awsome-chat, bearer.eyJ.e30.sig' },
        query: { room: 'support', v: '3' },
        sourceIp: '203.0.113.7',
        authorizer,
      }),
    );

    // Assess: the token is never echoed, nor stored
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'Sec-WebSocket-Protocol': 'awsome-chat' },
    });
    const item = testRig.dynamoDb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      connectionId: 'c1',
      room: 'support',
      v: 3,
      senderId: ADA.senderId,
      senderName: 'Ada Lovelace',
      person: `#user#${ADA.senderId}`,
    });
    expect(JSON.stringify(item)).not.toContain('eyJ');
    const place = testRig.dynamoDb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.Key?.room === `#user#${ADA.senderId}`);
    expect(place).toMatchObject({
      TableName: ROOMS_TABLE,
      UpdateExpression: 'ADD #conns :id SET #exp = :exp',
    });
    expect(testRig.logs).toMatchObject([{ outcome: 'connected', senderId: ADA.senderId }]);
  });

  it('refuses with 500 an event without the authorizer context, and stores nothing', async () => {
    const testRig = setUp({ authMode: 'oidc' });

    const response = await testRig.handler(webSocketEvent('$connect', { sourceIp: '203.0.113.7' }));

    expect(response).toEqual({ statusCode: 500 });
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([
      { level: 'error', outcome: 'unidentified', configurationError: expect.any(String) },
    ]);
  });

  it('refuses with 429 when all the person places are taken by open connections', async () => {
    // Prepare: the place's claim fails, and every holder's item is there and young
    const testRig = setUp({ authMode: 'cognito', maxConnectionsPerPerson: 1 });
    testRig.dynamoDb
      .on(UpdateCommand, { Key: { room: `#user#${ADA.senderId}`, slot: 0 } })
      .rejects(conditionFailedError());

    // Act
    const response = await testRig.handler(
      webSocketEvent('$connect', { connectionId: 'c2', authorizer }),
    );

    // Assess: the stored item is removed again, and nobody is counted in
    expect(response).toEqual({ statusCode: 429 });
    expect(testRig.logs).toMatchObject([{ outcome: 'too_many_connections', person: 'user' }]);
    const roomCounts = testRig.dynamoDb
      .commandCalls(UpdateCommand)
      .filter((call) => call.args[0].input.Key?.slot === -1);
    expect(roomCounts).toEqual([]);
  });
});

describe('$connect, without sign-in', () => {
  it('answers exactly as before to a client that offers no subprotocol', async () => {
    const testRig = setUp();

    const response = await testRig.handler(
      webSocketEvent('$connect', { connectionId: 'c1', sourceIp: '203.0.113.7' }),
    );

    expect(response).toEqual({ statusCode: 200 });
  });
});

describe('a message, signed in', () => {
  it('carries the verified name and sender id, whatever name the frame gives', async () => {
    // Prepare
    const testRig = setUp({ authMode: 'cognito' });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act: a name the rules would refuse is not even read
    const response = await testRig.handler(
      webSocketEvent('$default', {
        connectionId: SENDER,
        body: chatFrame({ message: 'hi', senderName: '\u202eGrace', clientId: 'c-1' }),
        authorizer,
      }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    const [broadcast] = testRig.managementApi
      .commandCalls(PostToConnectionCommand)
      .filter((call) => call.args[0].input.ConnectionId === 'a');
    expect(decodePosted(broadcast?.args[0].input.Data)).toStrictEqual({
      type: 'message',
      id: MESSAGE_ID,
      seq: 1,
      room: 'support',
      message: 'hi',
      senderId: ADA.senderId,
      senderName: 'Ada Lovelace',
      senderGravatar: '',
      sentAt: NOW.toISOString(),
    });
  });

  it("spends the user's budget, never the connection's, and reads no room", async () => {
    const testRig = setUp({ authMode: 'cognito' });

    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: '{"action":"ping"}', authorizer }),
    );

    const updates = testRig.dynamoDb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates).toMatchObject([
      { TableName: ROOMS_TABLE, Key: { room: `#user#${ADA.senderId}`, slot: 0 } },
    ]);
    expect(updates.some((input) => input.TableName === CONNECTIONS_TABLE)).toBe(false);
  });

  it('is refused with 500 without the authorizer context', async () => {
    const testRig = setUp({ authMode: 'cognito' });

    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    expect(response).toEqual({ statusCode: 500 });
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(postedTo(testRig)).toEqual([]);
  });
});

describe('a flooder', () => {
  it('is told why and disconnected once its budget is overdrawn by a whole burst', async () => {
    // Prepare: both writes refused, and the bucket read back far in the future
    const testRig = setUp({ authMode: 'cognito' });
    testRig.dynamoDb.on(UpdateCommand).rejects(conditionFailedError());
    testRig.dynamoDb.on(UpdateCommand, { TableName: ROOMS_TABLE }).rejects(
      Object.assign(conditionFailedError(), {
        Item: { rateTat: { N: String(NOW.getTime() + 60_000) } },
      }),
    );
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    testRig.managementApi.on(DeleteConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: '{"action":"ping"}', authorizer }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 429 });
    const [told] = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(told?.args[0].input.Data)).toMatchObject({
      type: 'error',
      code: 'too_many_frames',
    });
    expect(
      testRig.managementApi
        .commandCalls(DeleteConnectionCommand)
        .map((call) => call.args[0].input.ConnectionId),
    ).toEqual([SENDER]);
    expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'flood_disconnected' }]);
  });
});
