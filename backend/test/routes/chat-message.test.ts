/**
 * A chat message through the handler: the server-built event broadcast to the sender's room but
 * the sender, every page of the room read, 410s cleaned up, other failures counted, sends
 * bounded, the sender told when its room cannot be read, and the room's stored head count set
 * right when the whole room was read.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import {
  CONNECTIONS_TABLE,
  decodePosted,
  forbiddenError,
  goneError,
  MESSAGE_ID,
  NOW,
  NOW_SECONDS,
  postedTo,
  recordingQueue,
  rigPerTest,
  throttledError,
} from '../support/mocks.ts';

const setUp = rigPerTest();

describe('a chat message', () => {
  it('sends the exact server-built event to every live connection except the sender', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({
      Items: [{ connectionId: 'a' }, { connectionId: SENDER }, { connectionId: 'b' }],
    });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    const body = chatFrame({
      action: 'sendmessage',
      message: ' hello ',
      senderName: 'Ada',
      senderGravatar: '0bc83cb571cd1c50ba6f3e8a78ef1346',
      isAdmin: true,
    });

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    const posts = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b']);
    for (const post of posts) {
      expect(decodePosted(post.args[0].input.Data)).toStrictEqual({
        type: 'message',
        id: MESSAGE_ID,
        room: 'lobby',
        message: 'hello',
        senderName: 'Ada',
        senderGravatar: '0bc83cb571cd1c50ba6f3e8a78ef1346',
        sentAt: NOW.toISOString(),
        seq: 1,
      });
    }
    expect(testRig.logs).toMatchObject([
      { level: 'info', route: '$default', outcome: 'broadcast', delivered: 2, gone: 0, failed: 0 },
    ]);
    expect(JSON.stringify(testRig.logs)).not.toContain('hello');
  });

  it('publishes one metrics record for the invocation: the accepted message and its fan-out', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({
      Items: [{ connectionId: 'a' }, { connectionId: SENDER }, { connectionId: 'b' }],
    });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess: the test clock stands still, so the last delivery is 0 ms after acceptance
    expect(testRig.metrics).toHaveLength(1);
    expect(Object.fromEntries(testRig.metrics[0]?.counts ?? [])).toMatchObject({
      messagesAccepted: 1,
      delivered: 2,
      gone: 0,
      handedOff: 0,
    });
    expect(testRig.metrics[0]?.timesToLastDelivery).toEqual([0]);
    expect(testRig.metrics[0]?.room).toBe('lobby');
  });

  it("carries the room's head count on the live copy only, never on the kept one", async () => {
    // Prepare: the room item's counter update returns its head count
    const testRig = setUp();
    testRig.dynamoDb
      .on(UpdateCommand, { TableName: CONNECTIONS_TABLE })
      .resolves({ Attributes: { connectionId: SENDER, room: 'lobby' } })
      .on(UpdateCommand, { TableName: 'rooms' })
      .resolves({ Attributes: { room: 'lobby', slot: -1, seq: 7, members: 4 } });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    const [post] = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(post?.args[0].input.Data)).toMatchObject({ message: 'hi', members: 4 });
    const kept = testRig.dynamoDb.commandCalls(PutCommand, { TableName: 'rooms' })[0]?.args[0]
      .input;
    expect(kept?.Item).toMatchObject({ slot: 6, id: MESSAGE_ID });
    expect(JSON.parse(String(kept?.Item?.event))).not.toHaveProperty('members');
  });

  it("queries the sender's room on the room index, with a projection of the id and a TTL filter", async () => {
    // Prepare: the rate limiter's write returns the sender's item, room included
    const testRig = setUp();
    testRig.dynamoDb
      .on(UpdateCommand, { TableName: CONNECTIONS_TABLE })
      .resolves({ Attributes: { connectionId: SENDER, room: 'support' } });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    expect(testRig.dynamoDb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: CONNECTIONS_TABLE,
      IndexName: 'byRoom',
      KeyConditionExpression: '#room = :room',
      ProjectionExpression: '#id',
      FilterExpression: '#expiresAt > :now',
      ExpressionAttributeNames: {
        '#room': 'room',
        '#id': 'connectionId',
        '#expiresAt': 'expiresAt',
      },
      ExpressionAttributeValues: { ':room': 'support', ':now': NOW_SECONDS },
    });
  });

  it('reads every page of the room, including an empty page that still has a LastEvaluatedKey', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ connectionId: 'p1a' }, { connectionId: 'p1b' }],
        LastEvaluatedKey: { connectionId: 'p1b' },
      })
      .resolvesOnce({ Items: [], LastEvaluatedKey: { connectionId: 'x' } })
      .resolvesOnce({ Items: [{ connectionId: 'p3a' }], LastEvaluatedKey: { connectionId: 'p3a' } })
      .resolvesOnce({ Items: [{ connectionId: 'p4a' }] });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    const queries = testRig.dynamoDb
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExclusiveStartKey);
    expect(queries).toEqual([
      undefined,
      { connectionId: 'p1b' },
      { connectionId: 'x' },
      { connectionId: 'p3a' },
    ]);
    expect(postedTo(testRig).toSorted()).toEqual(['p1a', 'p1b', 'p3a', 'p4a']);
  });

  it('on a 410 deletes exactly the stale recipient, by connectionId, and delivers to the rest', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: ['a', 'stale', 'b', SENDER].map((id) => ({ connectionId: id })) });
    testRig.dynamoDb.on(DeleteCommand).resolves({});
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    testRig.managementApi
      .on(PostToConnectionCommand, { ConnectionId: 'stale' })
      .rejects(goneError());

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    const deletes = testRig.dynamoDb.commandCalls(DeleteCommand).map((call) => call.args[0].input);
    // (only if it connected over 30 s ago: a post answers 410 while $connect still runs)
    expect(deletes).toEqual([
      {
        TableName: CONNECTIONS_TABLE,
        Key: { connectionId: 'stale' },
        ReturnValues: 'ALL_OLD',
        ConditionExpression: 'attribute_not_exists(#connectedAt) OR #connectedAt < :before',
        ExpressionAttributeNames: { '#connectedAt': 'connectedAt' },
        ExpressionAttributeValues: { ':before': new Date(NOW.getTime() - 30_000).toISOString() },
      },
    ]);
    expect(testRig.logs).toMatchObject([
      { outcome: 'broadcast', delivered: 2, gone: 1, failed: 0 },
    ]);
  });

  it('treats a bare HTTP 410 without the error name as gone too', async () => {
    // Prepare: an endpoint that sends no x-amzn-ErrorType makes the SDK throw an "Unknown" error
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'stale' }] });
    testRig.dynamoDb.on(DeleteCommand).resolves({});
    const bare = Object.assign(new Error('Unknown'), {
      name: 'Unknown',
      $metadata: { httpStatusCode: 410 },
    });
    testRig.managementApi.on(PostToConnectionCommand).rejects(bare);

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      connectionId: 'stale',
    });
  });

  it('keeps delivering when one recipient fails for another reason, and logs it', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: ['a', 'slow', 'b', 'c'].map((id) => ({ connectionId: id })) });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});
    testRig.managementApi
      .on(PostToConnectionCommand, { ConnectionId: 'slow' })
      .rejects(throttledError());

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    // A throttled post waits and goes again; after three throttles while the others succeed,
    // the recipient's own buffer is taken to be full
    expect(response).toEqual({ statusCode: 200 });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b', 'c', 'slow', 'slow', 'slow']);
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)).toHaveLength(0);
    // …and with neither a queue to retry it nor a dead-letter queue, it is lost: an error
    expect(testRig.logs).toMatchObject([
      {
        level: 'error',
        delivered: 3,
        gone: 0,
        failed: 0,
        lost: 1,
        errors: { LimitExceededException: 3 },
      },
    ]);
  });

  it('logs a ForbiddenException as a configuration error and deletes nothing', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }] });
    testRig.managementApi.on(PostToConnectionCommand).rejects(forbiddenError());

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(testRig.logs).toHaveLength(1);
    expect(testRig.logs[0]).toMatchObject({
      level: 'error',
      failed: 2,
      errors: { ForbiddenException: 2 },
    });
    expect(testRig.logs[0]?.configurationError).toContain('APIGW_ENDPOINT');
  });

  it('never has more sends in flight than SEND_CONCURRENCY', async () => {
    // Prepare
    const concurrency = 5;
    const testRig = setUp({ sendConcurrency: concurrency });
    const pages = Array.from({ length: 6 }, (_, page) => ({
      Items: Array.from({ length: 20 }, (_, index) => ({ connectionId: `p${page}-${index}` })),
      ...(page < 5 && { LastEvaluatedKey: { connectionId: `p${page}-19` } }),
    }));
    let scan = testRig.dynamoDb.on(QueryCommand);
    for (const page of pages) scan = scan.resolvesOnce(page);
    let inFlight = 0;
    let peak = 0;
    testRig.managementApi.on(PostToConnectionCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return {};
    });

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    expect(postedTo(testRig)).toHaveLength(120);
    expect(peak).toBe(concurrency);
  });

  it('once accepted, never tells the sender to try again when the room cannot be read: the whole broadcast goes to the queue', async () => {
    // Prepare: the room index refuses the first read
    const queue = recordingQueue();
    const testRig = setUp({}, { queue });
    testRig.dynamoDb
      .on(QueryCommand)
      .rejects(new Error('ProvisionedThroughputExceeded on table x'));
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', {
        connectionId: SENDER,
        body: chatFrame({ message: 'hi', clientId: 'c1' }),
      }),
    );

    // Assess: acked, no error frame; a cursor job reads the room from its start, without the sender
    expect(response).toEqual({ statusCode: 200 });
    const frames = testRig.managementApi
      .commandCalls(PostToConnectionCommand)
      .map((call) => decodePosted(call.args[0].input.Data));
    expect(frames).toEqual([
      { type: 'ack', clientId: 'c1', id: MESSAGE_ID, seq: 1, room: 'lobby' },
    ]);
    expect(queue.enqueued).toHaveLength(1);
    expect(queue.enqueued[0]?.job).toMatchObject({
      attempt: 1,
      cursor: { room: 'lobby' },
      exclude: SENDER,
      message: { id: MESSAGE_ID, room: 'lobby', seq: 1, acceptedAt: NOW.getTime() },
    });
    expect(JSON.parse(queue.enqueued[0]?.job.payload ?? '')).toMatchObject({
      message: 'hi',
      seq: 1,
    });
    expect(testRig.logs).toMatchObject([
      { level: 'warn', outcome: 'broadcast', readFailed: 'Error', shards: 1 },
    ]);
    expect(JSON.stringify(testRig.logs)).not.toContain('Provisioned');
  });

  it('tells the sender, without details, that its accepted message did not reach the room when even the queue refuses it', async () => {
    // Prepare: 3 members counted, the room index refuses the read, the queue refuses the job
    const queue = recordingQueue();
    queue.refuse = true;
    const testRig = setUp({}, { queue });
    testRig.dynamoDb
      .on(UpdateCommand, { TableName: 'rooms' })
      .resolves({ Attributes: { seq: 4, members: 3, membersVersion: 2 } });
    testRig.dynamoDb
      .on(QueryCommand)
      .rejects(new Error('ProvisionedThroughputExceeded on table x'));
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', {
        connectionId: SENDER,
        body: chatFrame({ message: 'hi', clientId: 'c1' }),
      }),
    );

    // Assess: the sender is never told to try again, which would duplicate the message
    expect(response).toEqual({ statusCode: 200 });
    const frames = testRig.managementApi
      .commandCalls(PostToConnectionCommand)
      .map((call) => decodePosted(call.args[0].input.Data));
    expect(frames).toEqual([
      { type: 'ack', clientId: 'c1', id: MESSAGE_ID, seq: 4, room: 'lobby' },
      {
        type: 'delivery_incomplete',
        clientId: 'c1',
        id: MESSAGE_ID,
        seq: 4,
        room: 'lobby',
        unreached: 2,
      },
    ]);
    expect(testRig.logs).toMatchObject([
      { level: 'error', outcome: 'broadcast', lostListRemainder: true, unreached: 2 },
    ]);
    expect(JSON.stringify(frames)).not.toContain('Provisioned');
  });
});

describe('a chat message that cannot be kept', () => {
  it('is not accepted: the sender is told to try again, nobody gets it, and it is logged as an error', async () => {
    // Prepare: the rooms table refuses the message's slot
    const testRig = setUp();
    testRig.dynamoDb
      .on(PutCommand, { TableName: 'rooms' })
      .rejects(new Error('ProvisionedThroughputExceeded on table rooms'));
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess: history and delivery agree: neither has it
    expect(response).toEqual({ statusCode: 500 });
    expect(postedTo(testRig)).toEqual([SENDER]);
    const [post] = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(decodePosted(post?.args[0].input.Data)).toMatchObject({
      type: 'error',
      code: 'internal_error',
    });
    expect(testRig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(testRig.logs).toMatchObject([{ level: 'error', outcome: 'commit_failed', voidSeq: 1 }]);
    expect(JSON.stringify(testRig.logs)).not.toContain('table rooms');
  });
});

describe("a message and its room's head count", () => {
  it.each([
    { stored: 5, written: [3] },
    { stored: 3, written: [] },
  ])('with $stored stored and 3 members read, writes $written', async ({ stored, written }) => {
    // Prepare: the sender is in "support"; the room item says `stored`, the room index lists 3
    const rig = setUp();
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
