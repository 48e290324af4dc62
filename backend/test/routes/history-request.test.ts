/**
 * A history request through the handler: the room's kept messages, then its head count, to the
 * sender; a small room told the new count; the sender told, without details, when the room
 * cannot be read; only what a reconnecting client missed; the sender counted in at once.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchGetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { webSocketEvent } from '../support/events.ts';
import { decodePosted, rigPerTest } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('a history request through the handler', () => {
  it("sends the room's kept messages, then its head count, and tells a small room", async () => {
    // Prepare: the sender (protocol 3) is in "support" with 2 members and 2 kept messages
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support', v: 3 } });
    const kept = [
      { room: 'support', slot: -1, members: 2, seq: 2 },
      {
        room: 'support',
        slot: 1,
        id: '01KB0000000000000000000002',
        seq: 2,
        event: '{"type":"message","id":"01KB0000000000000000000002","seq":2}',
      },
      {
        room: 'support',
        slot: 0,
        id: '01KB0000000000000000000001',
        seq: 1,
        event: '{"type":"message","id":"01KB0000000000000000000001","seq":1}',
      },
    ];
    rig.dynamoDb
      .on(QueryCommand, { TableName: 'rooms' })
      .resolves({ Items: kept })
      .on(QueryCommand, { TableName: 'connections' })
      .resolves({ Items: [{ connectionId: 'me' }, { connectionId: 'other' }] });
    rig.dynamoDb
      .on(BatchGetCommand)
      .resolves({ Responses: { connections: [{ connectionId: 'other', v: 3 }] } });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"action":"history"}' }),
    );

    // Assess: history oldest first, then presence, to the sender; the other member gets presence
    expect(response).toEqual({ statusCode: 200 });
    const posts = rig.managementApi
      .commandCalls(PostToConnectionCommand)
      .map((call) => [call.args[0].input.ConnectionId, decodePosted(call.args[0].input.Data)]);
    expect(posts).toEqual([
      [
        'me',
        {
          type: 'history',
          room: 'support',
          messages: [
            { type: 'message', id: '01KB0000000000000000000001', seq: 1 },
            { type: 'message', id: '01KB0000000000000000000002', seq: 2 },
          ],
          part: 1,
          parts: 1,
          head: 2,
          oldest: 1,
        },
      ],
      ['me', { type: 'presence', room: 'support', count: 2 }],
      ['other', { type: 'presence', room: 'support', count: 2 }],
    ]);
    expect(rig.logs).toMatchObject([
      { outcome: 'history', room: 'support', messages: 2, frames: 1, members: 2, head: 2 },
    ]);
  });

  it('tells the sender, without details, when the room cannot be read, and logs the error name', async () => {
    // Prepare: the sender is in "support"; the rooms table refuses the read
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support' } });
    const refusal = new Error('ProvisionedThroughputExceeded on table rooms');
    refusal.name = 'ProvisionedThroughputExceededException';
    rig.dynamoDb.on(QueryCommand, { TableName: 'rooms' }).rejects(refusal);
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"action":"history"}' }),
    );

    // Assess: one error frame to the sender, naming nothing of the table; the log has the name
    expect(response).toEqual({ statusCode: 500 });
    const posts = rig.managementApi.commandCalls(PostToConnectionCommand);
    expect(posts.map((call) => call.args[0].input.ConnectionId)).toEqual(['me']);
    const frame = decodePosted(posts[0]?.args[0].input.Data);
    expect(frame).toEqual({
      type: 'error',
      code: 'internal_error',
      message: 'The history could not be read. Please reconnect.',
    });
    expect(rig.logs).toMatchObject([
      {
        level: 'error',
        outcome: 'history_failed',
        room: 'support',
        error: 'ProvisionedThroughputExceededException',
        replied: true,
      },
    ]);
    expect(JSON.stringify(rig.logs)).not.toContain('table rooms');
  });

  it('with a message id to start after, sends only the messages the client missed', async () => {
    // Prepare: "support" keeps messages 1 and 2; the client saw 1 before it reconnected
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support' } });
    rig.dynamoDb.on(QueryCommand, { TableName: 'rooms' }).resolves({
      Items: [
        { room: 'support', slot: -1, members: 1, seq: 2 },
        {
          room: 'support',
          slot: 0,
          id: '01KB0000000000000000000001',
          seq: 1,
          event: '{"id":"1"}',
        },
        {
          room: 'support',
          slot: 1,
          id: '01KB0000000000000000000002',
          seq: 2,
          event: '{"id":"2"}',
        },
      ],
    });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await rig.handler(
      webSocketEvent('$default', {
        connectionId: 'me',
        body: '{"action":"history","after":"01KB0000000000000000000001"}',
      }),
    );

    // Assess
    const [history] = rig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(history?.args[0].input.Data)).toMatchObject({ messages: [{ id: '2' }] });
    expect(rig.logs).toMatchObject([{ outcome: 'history', messages: 1 }]);
  });

  it('counts the sender in when its own $connect has not been counted yet', async () => {
    // Prepare: the room has no item yet, so its stored head count reads as 0
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support', v: 3 } });
    rig.dynamoDb.on(QueryCommand, { TableName: 'rooms' }).resolves({ Items: [] });
    rig.dynamoDb
      .on(QueryCommand, { TableName: 'connections' })
      .resolves({ Items: [{ connectionId: 'me' }] });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"action":"history"}' }),
    );

    // Assess: an empty history, then a head count of 1, and no one else to tell
    const posts = rig.managementApi
      .commandCalls(PostToConnectionCommand)
      .map((call) => [call.args[0].input.ConnectionId, decodePosted(call.args[0].input.Data)]);
    expect(posts).toEqual([
      [
        'me',
        {
          type: 'history',
          room: 'support',
          messages: [],
          part: 1,
          parts: 1,
          head: 0,
          oldest: 1,
        },
      ],
      ['me', { type: 'presence', room: 'support', count: 1 }],
    ]);
    expect(rig.logs).toMatchObject([{ outcome: 'history', members: 1, presenceTold: 0 }]);
  });

  it('with a serial to start after, sends exactly the serials the client missed, with head and oldest', async () => {
    // Prepare: serials 3 to 6 kept (4 was never committed), the head is 7 (in flight)
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support', v: 3 } });
    const keptItem = (seq: number) => ({
      room: 'support',
      slot: seq - 1,
      id: `01KB00000000000000000000${String(seq).padStart(2, '0')}`,
      seq,
      event: `{"seq":${seq}}`,
    });
    rig.dynamoDb.on(QueryCommand, { TableName: 'rooms' }).resolves({
      Items: [
        { room: 'support', slot: -1, members: 1, seq: 7 },
        keptItem(6),
        keptItem(3),
        keptItem(5),
      ],
    });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"action":"history","after":3}' }),
    );

    // Assess
    const [history] = rig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(history?.args[0].input.Data)).toMatchObject({
      messages: [{ seq: 5 }, { seq: 6 }],
      head: 7,
      oldest: 3,
    });
  });

  it('sends an old client (no protocol version) its history, but no presence frame', async () => {
    // Prepare: a page of protocol 2 in a room of 2
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support' } });
    rig.dynamoDb
      .on(QueryCommand, { TableName: 'rooms' })
      .resolves({ Items: [{ room: 'support', slot: -1, members: 2, seq: 0 }] })
      .on(QueryCommand, { TableName: 'connections' })
      .resolves({ Items: [{ connectionId: 'me' }, { connectionId: 'other' }] });
    rig.dynamoDb
      .on(BatchGetCommand)
      .resolves({ Responses: { connections: [{ connectionId: 'other', v: 3 }] } });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"action":"history"}' }),
    );

    // Assess: the other member, of protocol 3, still hears of the join
    const posts = rig.managementApi
      .commandCalls(PostToConnectionCommand)
      .map((call) => [call.args[0].input.ConnectionId, decodePosted(call.args[0].input.Data)]);
    expect(posts).toMatchObject([
      ['me', { type: 'history' }],
      ['other', { type: 'presence', count: 2 }],
    ]);
  });
});
