/**
 * `$connect` through the handler: the connection stored with its room and TTL, the room's count,
 * and the handshakes refused for their Origin or their room name.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { DOMAIN_NAME, webSocketEvent } from '../support/events.ts';
import { CONNECTIONS_TABLE, NOW, NOW_SECONDS, rigPerTest, roomUpdates } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('$connect', () => {
  it('stores the connection with a TTL a little past the 2-hour limit', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(PutCommand).resolves({});

    // Act
    const response = await testRig.handler(webSocketEvent('$connect', { connectionId: 'c1' }));

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    const puts = testRig.dynamoDb.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toEqual({
      TableName: CONNECTIONS_TABLE,
      Item: {
        connectionId: 'c1',
        room: contract.limits.defaultRoom,
        connectedAt: NOW.toISOString(),
        expiresAt: NOW_SECONDS + contract.limits.connectionTtlSeconds,
      },
    });
    expect(contract.limits.connectionTtlSeconds).toBeGreaterThan(2 * 60 * 60);
    expect(testRig.logs).toMatchObject([
      { route: '$connect', connectionId: 'c1', outcome: 'connected', room: 'lobby' },
    ]);
  });

  it('stores the room named in the URL, lower-case, and counts the connection in', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    await testRig.handler(
      webSocketEvent('$connect', { connectionId: 'c1', query: { room: 'Support' } }),
    );

    // Assess
    expect(testRig.dynamoDb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      connectionId: 'c1',
      room: 'support',
    });
    expect(testRig.dynamoDb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'rooms',
      Key: { room: 'support', slot: -1 },
      UpdateExpression: expect.stringContaining('ADD members :one, membersVersion :one'),
      ExpressionAttributeValues: { ':one': 1 },
    });
  });

  it('stores the protocol version the URL declares, and none for an old client', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    await testRig.handler(webSocketEvent('$connect', { connectionId: 'new', query: { v: '3' } }));
    await testRig.handler(webSocketEvent('$connect', { connectionId: 'old' }));

    // Assess
    const items = testRig.dynamoDb.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(items[0]).toMatchObject({ connectionId: 'new', v: 3 });
    expect(items[1]).not.toHaveProperty('v');
    expect(testRig.logs[0]).toMatchObject({ outcome: 'connected', protocolVersion: 3 });
  });

  it.each(['0', '3.0', 'three', '-3', '99999', ''])(
    'refuses the version "%s" with 400 and stores nothing',
    async (v) => {
      const testRig = setUp();

      const response = await testRig.handler(webSocketEvent('$connect', { query: { v } }));

      expect(response).toEqual({ statusCode: 400 });
      expect(testRig.dynamoDb.calls()).toHaveLength(0);
      expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'version_invalid' }]);
    },
  );

  it('stores the connection before counting it in, so a listing never lacks a counted member', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    await testRig.handler(webSocketEvent('$connect', { connectionId: 'c1' }));

    // Assess: the item first, then the room's count and the chat's open connections
    const order = testRig.dynamoDb.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['PutCommand', 'UpdateCommand', 'UpdateCommand']);
    expect(roomUpdates(testRig.dynamoDb)).toHaveLength(1);
  });

  it("counts the chat's open connections in and records them as a metric", async () => {
    // Prepare: the chat-wide count answers 7 after this connection
    const testRig = setUp();
    testRig.dynamoDb
      .on(UpdateCommand, { Key: { room: '#open-connections', slot: 0 } })
      .resolves({ Attributes: { open: 7 } });

    // Act
    await testRig.handler(webSocketEvent('$connect', { connectionId: 'c1' }));

    // Assess
    const counted = testRig.dynamoDb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.room === '#open-connections');
    expect(counted).toMatchObject([{ ExpressionAttributeValues: { ':delta': 1 } }]);
    expect(testRig.metrics).toMatchObject([{ openConnections: 7 }]);
  });

  it('removes the connection again when it cannot be counted in, and answers 500', async () => {
    // Prepare: the rooms table refuses the count
    const testRig = setUp();
    testRig.dynamoDb.on(UpdateCommand).rejects(new Error('throttled'));

    // Act
    const response = await testRig.handler(webSocketEvent('$connect', { connectionId: 'c1' }));

    // Assess: no uncounted item is left for a later 410 to count out
    expect(response).toEqual({ statusCode: 500 });
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      connectionId: 'c1',
    });
  });

  it.each(['', 'a'.repeat(33), '-lead', 'sp ace', 'ünï', '../x'])(
    'refuses the room name "%s" with 400 and stores nothing',
    async (room) => {
      const testRig = setUp();

      const response = await testRig.handler(webSocketEvent('$connect', { query: { room } }));

      expect(response).toEqual({ statusCode: 400 });
      expect(testRig.dynamoDb.calls()).toHaveLength(0);
      expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'room_invalid' }]);
    },
  );

  it('accepts an allowed Origin whatever the header-name case', async () => {
    // Prepare
    const testRig = setUp({ allowedOrigins: new Set(['https://chat.example.com']) });
    testRig.dynamoDb.on(PutCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$connect', { headers: { ORIGIN: 'https://chat.example.com' } }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.dynamoDb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['no Origin', { Host: DOMAIN_NAME }],
  ])('answers 403 and stores nothing for %s', async (_, headers) => {
    // Prepare
    const testRig = setUp({ allowedOrigins: new Set(['https://chat.example.com']) });

    // Act
    const response = await testRig.handler(webSocketEvent('$connect', { headers }));

    // Assess
    expect(response).toEqual({ statusCode: 403 });
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ level: 'warn', outcome: 'origin_rejected' }]);
  });

  it('answers 500 without crashing when DynamoDB fails', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(PutCommand).rejects(new Error('secret table detail'));

    // Act
    const response = await testRig.handler(webSocketEvent('$connect'));

    // Assess
    expect(response).toEqual({ statusCode: 500 });
    expect(testRig.logs).toMatchObject([{ level: 'error', outcome: 'error', error: 'Error' }]);
    expect(JSON.stringify(testRig.logs)).not.toContain('secret table detail');
  });
});
