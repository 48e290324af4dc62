/**
 * A history request through the handler: the room's kept messages, then its head count, to the
 * sender; a small room told the new count; the sender told, without details, when the room
 * cannot be read.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { webSocketEvent } from '../support/events.ts';
import { decodePosted, rigPerTest } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('a history request through the handler', () => {
  it("sends the room's kept messages, then its head count, and tells a small room", async () => {
    // Prepare: the sender is in "support" with 3 members and 2 kept messages
    const rig = setUp();
    rig.dynamoDb
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: 'me', room: 'support' } });
    const kept = [
      { room: 'support', slot: -1, members: 3, seq: 2 },
      {
        room: 'support',
        slot: 1,
        id: '01KB0000000000000000000002',
        event: '{"type":"message","id":"01KB0000000000000000000002"}',
      },
      {
        room: 'support',
        slot: 0,
        id: '01KB0000000000000000000001',
        event: '{"type":"message","id":"01KB0000000000000000000001"}',
      },
    ];
    rig.dynamoDb
      .on(QueryCommand, { TableName: 'rooms' })
      .resolves({ Items: kept })
      .on(QueryCommand, { TableName: 'connections' })
      .resolves({ Items: [{ connectionId: 'me' }, { connectionId: 'other' }] });
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
            { type: 'message', id: '01KB0000000000000000000001' },
            { type: 'message', id: '01KB0000000000000000000002' },
          ],
          part: 1,
          parts: 1,
        },
      ],
      ['me', { type: 'presence', room: 'support', count: 3 }],
      ['other', { type: 'presence', room: 'support', count: 3 }],
    ]);
    expect(rig.logs).toMatchObject([
      { outcome: 'history', room: 'support', messages: 2, frames: 1, members: 3 },
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
});
