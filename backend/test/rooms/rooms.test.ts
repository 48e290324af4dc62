/**
 * Room names, history frames and the history request through the handler.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROOM } from '../../../contract/room-name.ts';
import { parseClientFrame } from '../../src/protocol/message.ts';
import { historyFrames, presenceFrame } from '../../src/rooms/history.ts';
import { roomFromQuery } from '../../src/rooms/room.ts';
import type { KeptMessage } from '../../src/rooms/room-store.ts';
import { webSocketEvent } from '../support/events.ts';
import type { TestRig } from '../support/mocks.ts';
import { createTestRig, decodePosted } from '../support/mocks.ts';

let rig: TestRig | undefined;
afterEach(() => rig?.restore());

describe('roomFromQuery', () => {
  it.each<[Record<string, string> | undefined, string]>([
    [undefined, DEFAULT_ROOM],
    [{}, DEFAULT_ROOM],
    [{ room: 'support' }, 'support'],
    [{ room: 'Team-A_2' }, 'team-a_2'],
    [{ room: 'x'.repeat(32) }, 'x'.repeat(32)],
  ])('reads %j as %s', (query, room) => {
    expect(roomFromQuery(query)).toEqual({ ok: true, room });
  });

  it.each(['', '_lead', 'a b', 'x'.repeat(33), 'café', 'a/b', '%2e%2e'])('refuses "%s"', (room) => {
    const choice = roomFromQuery({ room });
    expect(choice.ok).toBe(false);
  });
});

describe('history frames', () => {
  const message = (index: number, text: string): KeptMessage => {
    const id = `01KB${String(index).padStart(22, '0')}`;
    return { id, event: JSON.stringify({ type: 'message', id, room: 'r', message: text }) };
  };

  it('is one frame with no messages for an empty room', () => {
    expect(historyFrames('r', [], undefined).frames).toEqual([
      '{"type":"history","room":"r","messages":[],"part":1,"parts":1}',
    ]);
  });

  it('splits 50 messages of 2,000 three-byte characters into frames under 128 KiB, in order', () => {
    // Prepare: each event is over 6 KB of UTF-8; 50 of them are over 300 KB
    const messages = Array.from({ length: 50 }, (_, index) => message(index, '€'.repeat(2000)));

    // Act
    const { frames, messages: count } = historyFrames('r', messages, undefined);

    // Assess
    expect(count).toBe(50);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    const parsed = frames.map(
      (frame) => JSON.parse(frame) as { messages: { id: string }[]; part: number; parts: number },
    );
    for (const [index, frame] of frames.entries()) {
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(128 * 1024);
      expect(parsed[index]).toMatchObject({
        type: 'history',
        room: 'r',
        part: index + 1,
        parts: frames.length,
      });
    }
    expect(parsed.flatMap((frame) => frame.messages.map((event) => event.id))).toEqual(
      messages.map((kept) => kept.id),
    );
  });

  it('keeps only what came after the given id', () => {
    const messages = [message(1, 'a'), message(2, 'b'), message(3, 'c')];

    const { frames } = historyFrames('r', messages, messages[0]?.id);

    expect(
      (JSON.parse(frames[0] ?? '') as { messages: { message: string }[] }).messages.map(
        (event) => event.message,
      ),
    ).toEqual(['b', 'c']);
  });

  it('writes the presence event', () => {
    expect(JSON.parse(presenceFrame('r', 3))).toEqual({ type: 'presence', room: 'r', count: 3 });
  });
});

describe('the history request frame', () => {
  it('is recognised, with or without a message id to start after', () => {
    expect(parseClientFrame('{"action":"history"}', 100)).toEqual({
      kind: 'history',
      after: undefined,
    });
    expect(
      parseClientFrame('{"action":"history","after":"01KB0000000000000000000000"}', 100),
    ).toEqual({
      kind: 'history',
      after: '01KB0000000000000000000000',
    });
  });

  it.each(['"x"', '12', 'null', '"01kb0000000000000000000000"'])('refuses after=%s', (after) => {
    expect(parseClientFrame(`{"action":"history","after":${after}}`, 100)).toMatchObject({
      kind: 'invalid',
      code: 'history_after_invalid',
    });
  });
});

describe('a history request through the handler', () => {
  it("sends the room's kept messages, then its head count, and tells a small room", async () => {
    // Prepare: the sender is in "support" with 3 members and 2 kept messages
    rig = createTestRig();
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
    rig = createTestRig();
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

describe("a message and its room's head count", () => {
  it.each([
    { stored: 5, written: [3] },
    { stored: 3, written: [] },
  ])('with $stored stored and 3 members read, writes $written', async ({ stored, written }) => {
    // Prepare: the sender is in "support"; the room item says `stored`, the room index lists 3
    rig = createTestRig();
    rig.dynamoDb
      .on(UpdateCommand, { TableName: 'connections' })
      .resolves({ Attributes: { connectionId: 'me', room: 'support' } })
      .on(UpdateCommand, { TableName: 'rooms' })
      .resolves({ Attributes: { members: stored, seq: 1 } });
    rig.dynamoDb
      .on(QueryCommand, { TableName: 'connections' })
      .resolves({ Items: [{ connectionId: 'me' }, { connectionId: 'a' }, { connectionId: 'b' }] });
    rig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await rig.handler(
      webSocketEvent('$default', { connectionId: 'me', body: '{"message":"hi"}' }),
    );

    // Assess: the count is set only when the whole room, read, shows the stored one wrong
    expect(response).toEqual({ statusCode: 200 });
    const setCounts = rig.dynamoDb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.UpdateExpression?.startsWith('SET members'))
      .map((input) => input.ExpressionAttributeValues?.[':members']);
    expect(setCounts).toEqual(written);
    expect(rig.managementApi.commandCalls(PostToConnectionCommand)).toHaveLength(2);
  });
});
