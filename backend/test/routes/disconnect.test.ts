/**
 * `$disconnect` through the handler: the connection forgotten, counted out of its room, and a
 * small room told its new head count.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchGetCommand, DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { webSocketEvent } from '../support/events.ts';
import {
  CONNECTIONS_TABLE,
  conditionFailedError,
  decodePosted,
  postedTo,
  rigPerTest,
  roomUpdates,
} from '../support/mocks.ts';

const setUp = rigPerTest();

describe('$disconnect', () => {
  it('deletes the connection by its key', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(DeleteCommand).resolves({});

    // Act
    const response = await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: CONNECTIONS_TABLE,
      Key: { connectionId: 'c1' },
      ReturnValues: 'ALL_OLD',
    });
    expect(testRig.logs).toMatchObject([{ route: '$disconnect', outcome: 'disconnected' }]);
  });

  it('counts the connection out of its room and tells a small room its new head count', async () => {
    // Prepare: c1 was in "support", which now has 2 members
    const testRig = setUp();
    testRig.dynamoDb
      .on(DeleteCommand)
      .resolves({ Attributes: { connectionId: 'c1', room: 'support' } });
    testRig.dynamoDb.on(UpdateCommand).resolves({ Attributes: { members: 2 } });
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }] });
    testRig.dynamoDb.on(BatchGetCommand).resolves({
      Responses: {
        [CONNECTIONS_TABLE]: [
          { connectionId: 'a', v: 3 },
          { connectionId: 'b', v: 3 },
        ],
      },
    });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    const update = testRig.dynamoDb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      TableName: 'rooms',
      Key: { room: 'support', slot: -1 },
      ConditionExpression: 'members > :zero',
      ExpressionAttributeValues: { ':minusOne': -1 },
    });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b']);
    const posted =
      testRig.managementApi.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data;
    expect(decodePosted(posted)).toEqual({ type: 'presence', room: 'support', count: 2 });
    expect(testRig.logs).toMatchObject([
      { outcome: 'disconnected', room: 'support', members: 2, presenceTold: 2 },
    ]);
  });

  it('answers 200 and counts no one out for a connection already forgotten', async () => {
    // Prepare: the item is gone already (a TTL expiry, or a second $disconnect)
    const testRig = setUp();
    testRig.dynamoDb.on(DeleteCommand).resolves({});

    // Act
    const response = await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.dynamoDb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(testRig.managementApi.calls()).toHaveLength(0);
    expect(testRig.logs).toHaveLength(1);
    expect(testRig.logs[0]).toMatchObject({ level: 'info', outcome: 'disconnected' });
    expect(testRig.logs[0]).not.toHaveProperty('room');
  });

  it('still answers 200 when the room cannot be read to tell it, and counts no one told', async () => {
    // Prepare: c1 was in "support"; the room index refuses the read
    const testRig = setUp();
    testRig.dynamoDb
      .on(DeleteCommand)
      .resolves({ Attributes: { connectionId: 'c1', room: 'support' } });
    testRig.dynamoDb.on(UpdateCommand).resolves({ Attributes: { members: 2 } });
    testRig.dynamoDb.on(QueryCommand).rejects(new Error('throttled'));

    // Act
    const response = await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(testRig.logs).toMatchObject([
      { level: 'info', outcome: 'disconnected', room: 'support', members: 2, presenceTold: 0 },
    ]);
  });

  it('never counts below zero: a room already at 0 keeps 0, and only its version moves', async () => {
    // Prepare: a correction set the count to 0 before this $disconnect came
    const testRig = setUp();
    testRig.dynamoDb
      .on(DeleteCommand)
      .resolves({ Attributes: { connectionId: 'c1', room: 'support' } });
    testRig.dynamoDb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailedError())
      .resolves({ Attributes: { members: 0, membersVersion: 8 } });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    const updates = roomUpdates(testRig.dynamoDb);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.UpdateExpression).toContain('ADD membersVersion :one');
    expect(updates[1]?.UpdateExpression).not.toContain('members :');
    expect(testRig.logs).toMatchObject([{ outcome: 'disconnected', members: 0 }]);
  });

  it('tells no old client (no protocol version) of the leave', async () => {
    // Prepare: a is the reference design's page, b speaks protocol 3
    const testRig = setUp();
    testRig.dynamoDb
      .on(DeleteCommand)
      .resolves({ Attributes: { connectionId: 'c1', room: 'support' } });
    testRig.dynamoDb.on(UpdateCommand).resolves({ Attributes: { members: 2 } });
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }] });
    testRig.dynamoDb.on(BatchGetCommand).resolves({
      Responses: { [CONNECTIONS_TABLE]: [{ connectionId: 'a' }, { connectionId: 'b', v: 3 }] },
    });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    expect(postedTo(testRig)).toEqual(['b']);
  });

  it('corrects a drifted count from the fresh listing of a small room, under the version read', async () => {
    // Prepare: the stored count says 7 after this leave (lost $disconnects); 2 are really there
    const testRig = setUp();
    testRig.dynamoDb
      .on(DeleteCommand)
      .resolves({ Attributes: { connectionId: 'c1', room: 'support' } });
    testRig.dynamoDb
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { members: 7, membersVersion: 31 } })
      .resolves({});
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }] });
    testRig.dynamoDb.on(BatchGetCommand).resolves({});

    // Act
    await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    const correction = roomUpdates(testRig.dynamoDb)[1];
    expect(correction).toMatchObject({
      UpdateExpression: expect.stringContaining('SET members = :members'),
      ExpressionAttributeValues: { ':members': 2, ':version': 31 },
    });
    expect(testRig.logs).toMatchObject([{ members: 2, corrected: true }]);
  });
});
