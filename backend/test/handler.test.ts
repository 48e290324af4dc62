import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import { serializeShardJob } from '../src/broadcast/shard-job.ts';
import { DOMAIN_NAME, STAGE, webSocketEvent } from './support/events.ts';
import type { TestRig } from './support/mocks.ts';
import {
  createTestRig,
  decodePosted,
  forbiddenError,
  goneError,
  MESSAGE_ID,
  NOW,
  recordingQueue,
  throttledError,
} from './support/mocks.ts';

const SENDER = 'sender0000000A=';
const TABLE = 'connections';
const nowSeconds = Math.floor(NOW.getTime() / 1000);

let rig: TestRig | undefined;
afterEach(() => rig?.restore());

function setUp(...args: Parameters<typeof createTestRig>): TestRig {
  rig = createTestRig(...args);
  return rig;
}

function chatFrame(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

/** Recipients of PostToConnection calls, in call order. */
function postedTo(testRig: TestRig): string[] {
  return testRig.managementApi
    .commandCalls(PostToConnectionCommand)
    .map((call) => call.args[0].input.ConnectionId ?? '');
}

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
      TableName: TABLE,
      Item: {
        connectionId: 'c1',
        room: contract.limits.defaultRoom,
        connectedAt: NOW.toISOString(),
        expiresAt: nowSeconds + contract.limits.connectionTtlSeconds,
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
      UpdateExpression: expect.stringContaining('ADD members :delta'),
      ExpressionAttributeValues: { ':delta': 1 },
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
      TableName: TABLE,
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
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    await testRig.handler(webSocketEvent('$disconnect', { connectionId: 'c1' }));

    // Assess
    const update = testRig.dynamoDb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      TableName: 'rooms',
      Key: { room: 'support', slot: -1 },
      ExpressionAttributeValues: { ':delta': -1 },
    });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b']);
    const posted =
      testRig.managementApi.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data;
    expect(decodePosted(posted)).toEqual({ type: 'presence', room: 'support', count: 2 });
    expect(testRig.logs).toMatchObject([
      { outcome: 'disconnected', room: 'support', members: 2, presenceTold: 2 },
    ]);
  });
});

describe('unknown route', () => {
  it('answers with a logged error and touches nothing', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    const response = await testRig.handler(webSocketEvent('sendmessage'));

    // Assess
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([
      { level: 'error', route: 'sendmessage', outcome: 'unknown_route' },
    ]);
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(testRig.managementApi.calls()).toHaveLength(0);
  });

  it('does not mistake inherited object keys for routes', async () => {
    const testRig = setUp();

    const response = await testRig.handler(webSocketEvent('toString'));

    expect(response).toEqual({ statusCode: 400 });
  });
});

describe('$default', () => {
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
      });
    }
    expect(testRig.logs).toMatchObject([
      { level: 'info', route: '$default', outcome: 'broadcast', delivered: 2, gone: 0, failed: 0 },
    ]);
    expect(JSON.stringify(testRig.logs)).not.toContain('hello');
  });

  it("carries the room's head count on the live copy only, never on the kept one", async () => {
    // Prepare: the room item's counter update returns its head count
    const testRig = setUp();
    testRig.dynamoDb
      .on(UpdateCommand, { TableName: TABLE })
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
      .on(UpdateCommand)
      .resolves({ Attributes: { connectionId: SENDER, room: 'support' } });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    expect(testRig.dynamoDb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      IndexName: 'byRoom',
      KeyConditionExpression: '#room = :room',
      ProjectionExpression: '#id',
      FilterExpression: '#expiresAt > :now',
      ExpressionAttributeNames: {
        '#room': 'room',
        '#id': 'connectionId',
        '#expiresAt': 'expiresAt',
      },
      ExpressionAttributeValues: { ':room': 'support', ':now': nowSeconds },
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
    expect(deletes).toEqual([
      { TableName: TABLE, Key: { connectionId: 'stale' }, ReturnValues: 'ALL_OLD' },
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
    expect(response).toEqual({ statusCode: 200 });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b', 'c', 'slow']);
    expect(testRig.dynamoDb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(testRig.logs).toMatchObject([
      { level: 'warn', delivered: 3, gone: 0, failed: 1, errors: { LimitExceededException: 1 } },
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

  it('tells the sender, without details, when the connection list cannot be read', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb
      .on(QueryCommand)
      .rejects(new Error('ProvisionedThroughputExceeded on table x'));
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      webSocketEvent('$default', { connectionId: SENDER, body: chatFrame({ message: 'hi' }) }),
    );

    // Assess
    expect(response).toEqual({ statusCode: 500 });
    const posts = testRig.managementApi.commandCalls(PostToConnectionCommand);
    expect(posts.map((call) => call.args[0].input.ConnectionId)).toEqual([SENDER]);
    expect(decodePosted(posts[0]?.args[0].input.Data)).toMatchObject({
      type: 'error',
      code: 'internal_error',
    });
    expect(JSON.stringify(decodePosted(posts[0]?.args[0].input.Data))).not.toContain('Provisioned');
    expect(testRig.logs).toMatchObject([{ level: 'error', outcome: 'broadcast_failed' }]);
  });
});

describe('management endpoint', () => {
  it('is derived from the event when APIGW_ENDPOINT is unset, and the client is reused', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'one' }) }));
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'two' }) }));

    // Assess
    expect(testRig.clientEndpoints).toEqual([`https://${DOMAIN_NAME}/${STAGE}`]);
  });

  it('comes from APIGW_ENDPOINT when it is set', async () => {
    // Prepare
    const testRig = setUp({ apigwEndpoint: 'http://127.0.0.1:4001/prod' });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    expect(testRig.clientEndpoints).toEqual(['http://127.0.0.1:4001/prod']);
  });
});

describe('rate limit', () => {
  const refused = () =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });

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
    testRig.dynamoDb.on(UpdateCommand).rejects(refused());
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

  it('never rate-limits a keep-alive ping', async () => {
    const testRig = setUp();

    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ action: 'ping' }) }));

    expect(testRig.dynamoDb.calls()).toHaveLength(0);
  });
});

describe('shard batches from SQS', () => {
  const record = (messageId: string, body: string): SQSEvent['Records'][number] => ({
    messageId,
    receiptHandle: `${messageId}-handle`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795000000000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795000000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:awsome-chat-fanout',
    awsRegion: 'eu-west-1',
  });
  const shard = (recipients: string[]) =>
    serializeShardJob({
      endpoint: `https://${DOMAIN_NAME}/${STAGE}`,
      payload: '{"type":"message","id":"x"}',
      attempt: 1,
      recipients,
    });

  it("posts each record's recipients, drops a malformed record, and logs one line", async () => {
    // Prepare
    const testRig = setUp();
    testRig.managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const response = await testRig.handler(
      {
        Records: [
          record('m1', shard(['a', 'b'])),
          record('m2', 'not json'),
          record('m3', shard(['c'])),
        ],
      },
      { getRemainingTimeInMillis: () => 9000, awsRequestId: 'req-1' },
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedTo(testRig).toSorted()).toEqual(['a', 'b', 'c']);
    expect(
      decodePosted(
        testRig.managementApi.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data,
      ),
    ).toEqual({
      type: 'message',
      id: 'x',
    });
    expect(testRig.logs).toEqual([
      expect.objectContaining({
        route: 'sqs',
        requestId: 'req-1',
        outcome: 'shards',
        level: 'error',
        records: 3,
        delivered: 3,
        dropped: { 'not JSON': 1 },
      }),
    ]);
  });

  it('reports a record whose recipients could neither be reached nor handed off, so SQS retries it', async () => {
    // Prepare: no time left to start a post, and the queue refuses the hand-off
    const queue = recordingQueue();
    queue.refuse = true;
    const testRig = setUp({}, { queue });

    // Act
    const response = await testRig.handler(
      { Records: [record('m1', shard(['a']))] },
      { getRemainingTimeInMillis: () => 100, awsRequestId: 'req-2' },
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(postedTo(testRig)).toEqual([]);
    expect(testRig.logs).toMatchObject([{ outcome: 'shards', failedRecords: 1, level: 'error' }]);
  });

  it('answers an event it does not know with a logged error', async () => {
    const testRig = setUp();

    const response = await testRig.handler({ detail: 'x' } as never);

    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([{ outcome: 'unknown_event', level: 'error' }]);
  });
});
