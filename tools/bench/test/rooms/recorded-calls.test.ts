import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOCAL_CREDENTIALS,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '../../../local-stack/src/dynamodb.ts';
import {
  askForConsumedCapacity,
  broadcastLogCounts,
  connectedTo,
  type DynamoCall,
  dynamoCallOf,
  dynamoItemBytes,
  eventuallyConsistentReadUnits,
  historyLogCounts,
  messageCost,
  postedTo,
} from '../../src/rooms/recorded-calls.ts';
import type { Exchange } from '../../src/rooms/recording-proxy.ts';
import { type RecordingProxy, startRecordingProxy } from '../../src/rooms/recording-proxy.ts';

const target = (operation: string) => ({ 'x-amz-target': `DynamoDB_20120810.${operation}` });
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function exchange(overrides: Partial<Exchange>): Exchange {
  return {
    method: 'POST',
    path: '/',
    headers: {},
    requestBody: Buffer.alloc(0),
    status: 200,
    responseBody: Buffer.alloc(0),
    durationMs: 1,
    ...overrides,
  };
}

describe('askForConsumedCapacity', () => {
  it('makes every request on a table report its units and leaves everything else as it came', () => {
    const query = askForConsumedCapacity(target('Query'), json({ TableName: 't', Limit: 5 }));
    const scan = askForConsumedCapacity(target('Scan'), json({ TableName: 't' }));
    const put = askForConsumedCapacity(target('PutItem'), json({ TableName: 't' }));
    const transaction = askForConsumedCapacity(
      target('TransactWriteItems'),
      json({ TransactItems: [{ Put: { TableName: 't' } }] }),
    );

    expect(JSON.parse(String(query))).toEqual({
      TableName: 't',
      Limit: 5,
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(JSON.parse(String(scan))).toMatchObject({ ReturnConsumedCapacity: 'TOTAL' });
    expect(JSON.parse(String(put))).toEqual({ TableName: 't', ReturnConsumedCapacity: 'TOTAL' });
    expect(JSON.parse(String(transaction))).toMatchObject({ ReturnConsumedCapacity: 'TOTAL' });
    expect(askForConsumedCapacity({}, json({ TableName: 't' }))).toBeUndefined();
    expect(askForConsumedCapacity(target('ListTables'), json({}))).toBeUndefined();
    expect(
      askForConsumedCapacity(
        target('Query'),
        json({ TableName: 't', ReturnConsumedCapacity: 'INDEXES' }),
      ),
    ).toBeUndefined();
    expect(askForConsumedCapacity(target('Query'), Buffer.from('not json'))).toBeUndefined();
  });
});

describe('dynamoCallOf', () => {
  it("counts a transaction by its first table, with every write's units; a batch read's read units", () => {
    // Prepare: a message's commit (history slot and its client id's record) and a batch read
    const commit = exchange({
      headers: target('TransactWriteItems'),
      requestBody: json({
        TransactItems: [{ Put: { TableName: 'rooms' } }, { Update: { TableName: 'rooms' } }],
      }),
      responseBody: json({ ConsumedCapacity: [{ TableName: 'rooms', CapacityUnits: 4 }] }),
    });
    const versions = exchange({
      headers: target('BatchGetItem'),
      requestBody: json({ RequestItems: { connections: { Keys: [] } } }),
      responseBody: json({ ConsumedCapacity: [{ TableName: 'connections', CapacityUnits: 1.5 }] }),
    });
    const update = exchange({
      headers: target('UpdateItem'),
      requestBody: json({ TableName: 'rooms' }),
      responseBody: json({ ConsumedCapacity: { TableName: 'rooms', CapacityUnits: 1 } }),
    });

    // Act / Assess
    expect(dynamoCallOf(commit)).toMatchObject({
      operation: 'TransactWriteItems',
      table: 'rooms',
      readUnits: 0,
      writeUnits: 4,
    });
    expect(dynamoCallOf(versions)).toMatchObject({
      operation: 'BatchGetItem',
      table: 'connections',
      readUnits: 1.5,
      writeUnits: 0,
    });
    expect(dynamoCallOf(update)).toMatchObject({ readUnits: 0, writeUnits: 1 });
    expect(dynamoCallOf({ ...commit, status: 400 })).toBeUndefined();
  });
});

describe('dynamoItemBytes', () => {
  it('sizes an item as DynamoDB does: names and strings by UTF-8 bytes, numbers by significant digits', () => {
    expect(dynamoItemBytes({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(dynamoItemBytes({ t: { S: '€語' } })).toBe(1 + 6);
    expect(dynamoItemBytes({ n: { N: '1700000000' } })).toBe(1 + 2);
    expect(dynamoItemBytes({ n: { N: '-12.345' } })).toBe(1 + 4);
    expect(dynamoItemBytes({ b: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(dynamoItemBytes({ m: { M: { a: { S: 'xy' } } }, l: { L: [{ S: 'x' }] } })).toBe(
      1 + 3 + 3 + 1 + 3 + 1,
    );
  });

  it('bills an eventually consistent read half a unit per started 4 KB', () => {
    expect([1, 4096, 4097, 326_302].map(eventuallyConsistentReadUnits)).toEqual([0.5, 0.5, 1, 40]);
  });
});

describe('the log lines and posts', () => {
  it("reads the function's broadcast and $connect lines, and nothing else", () => {
    const broadcast = JSON.stringify({
      level: 'info',
      route: '$default',
      outcome: 'broadcast',
      room: 'a',
      listed: 10,
      pages: 1,
      delivered: 9,
      handedOff: 0,
    });

    expect(broadcastLogCounts(broadcast, 'a')).toEqual({
      listed: 10,
      pages: 1,
      delivered: 9,
      handedOff: 0,
    });
    expect(broadcastLogCounts(broadcast, 'b')).toBeUndefined();
    expect(broadcastLogCounts('02:00:00.000 $default abc ok (3 ms)', 'a')).toBeUndefined();
    expect(
      connectedTo(
        JSON.stringify({ route: '$connect', outcome: 'connected', connectionId: 'X=', room: 'a' }),
      ),
    ).toEqual({ connectionId: 'X=', room: 'a' });
    expect(
      connectedTo(JSON.stringify({ route: '$connect', outcome: 'room_invalid' })),
    ).toBeUndefined();
  });

  it("reads the function's line for a history request, or for its refusal", () => {
    const line = (fields: object): string => JSON.stringify({ route: '$default', ...fields });

    expect(historyLogCounts(line({ outcome: 'history', frames: 3, framesDelivered: 2 }))).toEqual({
      outcome: 'history',
      frames: 3,
      framesDelivered: 2,
    });
    expect(historyLogCounts(line({ outcome: 'rate_limited', retryAfterMs: 500 }))).toEqual({
      outcome: 'rate_limited',
      frames: 0,
      framesDelivered: 0,
    });
    expect(historyLogCounts(line({ outcome: 'broadcast' }))).toBeUndefined();
  });

  it('reads a post from its path, decoding the connection id', () => {
    expect(
      postedTo(exchange({ path: '/prod/@connections/abc%3D', requestBody: Buffer.from('hello') })),
    ).toBe('abc=');
    expect(
      postedTo(exchange({ method: 'DELETE', path: '/prod/@connections/abc%3D' })),
    ).toBeUndefined();
    expect(postedTo(exchange({ path: '/prod' }))).toBeUndefined();
  });
});

describe('messageCost', () => {
  const call = (operation: string, overrides: Partial<DynamoCall> = {}): DynamoCall => ({
    operation,
    table: 'connections',
    index: undefined,
    scannedCount: 0,
    count: 0,
    readUnits: 0,
    writeUnits: 0,
    returnedBytes: 0,
    durationMs: 2,
    ...overrides,
  });

  it("counts the room's Query pages, any Scan, the items they read and the posts that left the room", () => {
    // Prepare
    const calls = [
      call('UpdateItem', { writeUnits: 1 }),
      call('UpdateItem', { table: 'rooms', writeUnits: 1 }),
      call('PutItem', { table: 'rooms', writeUnits: 2 }),
      call('Query', { index: 'byRoom', scannedCount: 10, count: 10, readUnits: 0.5 }),
      call('Query', { table: 'rooms', scannedCount: 51, readUnits: 15 }),
      call('Scan', { scannedCount: 1000, readUnits: 12 }),
    ];

    // Act
    const cost = messageCost({
      posts: ['a', 'b', 'stranger'],
      calls,
      logged: { listed: 10, pages: 1, delivered: 3, handedOff: 0 },
      members: new Set(['a', 'b', 'c']),
      connectionsTable: 'connections',
      roomIndex: 'byRoom',
    });

    // Assess
    expect(cost).toEqual({
      posts: 3,
      postsOutsideRoom: 1,
      roomQueries: 1,
      scans: 1,
      itemsRead: 1010,
      readUnits: 12.5,
      readMs: 4,
      requests: { UpdateItem: 2, PutItem: 1, Query: 2, Scan: 1 },
      requestReadUnits: 27.5,
      requestWriteUnits: 4,
      logged: { listed: 10, pages: 1, delivered: 3, handedOff: 0 },
    });
  });
});

describe('the recording proxy in front of DynamoDB', () => {
  let dynamo: LocalDynamoDb | undefined;
  let proxy: RecordingProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    await dynamo?.stop();
  });

  it("records a real SDK Query with its items read and read units, and the SDK accepts dynalite's answer as it came", async () => {
    // Prepare: the stack's tables in dynalite, the recorder in front, a real document client
    dynamo = await startLocalDynamoDb({
      host: '127.0.0.1',
      port: 0,
      persistDir: undefined,
      tableName: 'connections',
      roomsTableName: 'rooms',
      region: 'us-east-1',
    });
    const calls: DynamoCall[] = [];
    proxy = await startRecordingProxy({
      rewrite: askForConsumedCapacity,
      record: (recorded) => {
        const parsed = dynamoCallOf(recorded);
        if (parsed !== undefined) calls.push(parsed);
      },
    });
    proxy.forwardTo(dynamo.endpoint);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: proxy.url,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    for (const id of ['a', 'b', 'c']) {
      await client.send(
        new PutCommand({
          TableName: 'connections',
          Item: {
            connectionId: id,
            room: id === 'c' ? 'other' : 'lobby',
            expiresAt: 2_000_000_000,
          },
        }),
      );
    }

    // Act
    const answer = await client.send(
      new QueryCommand({
        TableName: 'connections',
        IndexName: 'byRoom',
        KeyConditionExpression: '#room = :room',
        ExpressionAttributeNames: { '#room': 'room' },
        ExpressionAttributeValues: { ':room': 'lobby' },
      }),
    );
    client.destroy();

    // Assess
    expect(answer.Items?.map((item) => item.connectionId).sort()).toEqual(['a', 'b']);
    expect(calls.map((recorded) => recorded.operation)).toEqual([
      'PutItem',
      'PutItem',
      'PutItem',
      'Query',
    ]);
    expect(calls.at(-1)).toMatchObject({
      table: 'connections',
      index: 'byRoom',
      scannedCount: 2,
      count: 2,
      readUnits: 0.5,
    });
  });

  it('answers 503 until it knows where to forward', async () => {
    proxy = await startRecordingProxy({ record: () => {} });

    const response = await fetch(`${proxy.url}/anything`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(503);
  });
});
