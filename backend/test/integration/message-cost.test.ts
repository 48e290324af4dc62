/**
 * What one chat message to a small room costs in DynamoDB, measured through the SDK on dynalite
 * (with the local stack's transactions): every request the real handler makes while it accepts
 * and broadcasts the message, with the capacity units DynamoDB reports for it. Before protocol 3
 * a message cost 4 requests (rate limit, serial, history put, members Query); the target is at
 * most one more for a message with a client id, and no more for an old client's.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeople } from '../../src/access/people.ts';
import { createRateLimiter } from '../../src/access/rate-limiter.ts';
import { createCallbackBudget } from '../../src/broadcast/callback-budget.ts';
import type { Config } from '../../src/config.ts';
import type { ChatHandler } from '../../src/create-handler.ts';
import { createHandler } from '../../src/create-handler.ts';
import { collectInvocationMetrics } from '../../src/metrics.ts';
import { newMessageId } from '../../src/protocol/message-id.ts';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import { createMessageClaims } from '../../src/rooms/message-claims.ts';
import { createOpenConnections } from '../../src/rooms/open-connections.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import type { WebSocketEvent } from '../../src/routes/route.ts';
import { testConfig } from '../support/config.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { webSocketEvent } from '../support/events.ts';

/** One DynamoDB request the handler made, with what DynamoDB says it consumed. */
interface Request {
  readonly operation: string;
  readonly readUnits: number;
  readonly writeUnits: number;
}

let dynamoDb: TestDynamoDb;
let handler: ChatHandler;
/** The same handler, configured otherwise (an auth mode), recording into the same lists. */
let handlerWith: (overrides: Partial<Config>) => ChatHandler;
const requests: Request[] = [];
const posted: string[] = [];
const replies: string[] = [];

beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
  const base = new DynamoDBClient({
    endpoint: dynamoDb.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  // Every request asks for its consumed capacity and is recorded with it.
  base.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const operation = String(context.commandName).replace(/Command$/, '');
      const reads = new Set(['Query', 'GetItem', 'BatchGetItem', 'Scan']);
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        // A refused conditional write: a request all the same (its units are not reported).
        requests.push({ operation, readUnits: 0, writeUnits: 0 });
        throw error;
      }
      const reported = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const capacities = (Array.isArray(reported) ? reported : reported ? [reported] : []) as {
        CapacityUnits?: number;
      }[];
      const units = capacities.reduce((sum, capacity) => sum + (capacity.CapacityUnits ?? 0), 0);
      requests.push({
        operation,
        readUnits: reads.has(operation) ? units : 0,
        writeUnits: reads.has(operation) ? 0 : units,
      });
      return result;
    },
    { step: 'initialize', name: 'recordConsumedCapacity' },
  );
  const client = DynamoDBDocumentClient.from(base);
  const config: Config = testConfig({
    tableName: dynamoDb.tableName,
    roomsTableName: dynamoDb.roomsTableName,
    apigwEndpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
  });
  handlerWith = (overrides) =>
    createHandler({
      config: { ...config, ...overrides },
      store: createConnectionStore({ client, tableName: config.tableName }),
      rooms: createRoomStore({
        client,
        tableName: config.roomsTableName,
        historyMaxMessages: config.historyMaxMessages,
        historyTtlSeconds: config.historyTtlSeconds,
      }),
      openConnections: createOpenConnections({ client, tableName: config.roomsTableName }),
      claims: createMessageClaims({ client, tableName: config.roomsTableName }),
      rateLimiter: createRateLimiter({
        client,
        tableName: config.tableName,
        limit: config.rateLimit,
      }),
      people: createPeople({ client, tableName: config.roomsTableName }),
      // Replies to the sender (its ack) are posts too, but no DynamoDB request: recorded apart.
      managementClientFor: () =>
        ({
          send: async (command: { input: { ConnectionId?: string } }) => {
            replies.push(String(command.input.ConnectionId));
            return {};
          },
        }) as unknown as ApiGatewayManagementApiClient,
      posterFor: () => async (connectionId) => {
        posted.push(connectionId);
      },
      shardQueue: undefined,
      deadLetters: undefined,
      // A small room's broadcast takes no lease of the callback budget: a real budget on the rooms
      // table would show up in the recorded requests if it did.
      callbackBudget: createCallbackBudget({
        client,
        tableName: config.roomsTableName,
        postsPerSecond: config.callbackRateLimit,
      }),
      now: () => new Date(),
      newMessageId,
      log: () => {},
      metrics: collectInvocationMetrics(() => {}),
    });
  handler = handlerWith({});
  // A small room of five: three of protocol 3, two old clients
  for (const [id, v] of [
    ['new1', '3'],
    ['new2', '3'],
    ['new3', '3'],
    ['old1', undefined],
    ['old2', undefined],
  ] as const) {
    await handler(
      webSocketEvent('$connect', {
        connectionId: id,
        query: { room: 'cost', ...(v !== undefined && { v }) },
      }),
    );
  }
});
afterAll(async () => {
  await dynamoDb?.stop();
});

/** The requests one message makes, from its sender's frame to the end of its broadcast. */
async function measure(sender: string, frame: Record<string, unknown>): Promise<Request[]> {
  requests.length = 0;
  posted.length = 0;
  replies.length = 0;
  await handler(webSocketEvent('$default', { connectionId: sender, body: JSON.stringify(frame) }));
  return [...requests];
}

const total = (measured: readonly Request[], key: 'readUnits' | 'writeUnits'): number =>
  measured.reduce((sum, request) => sum + request[key], 0);

describe('the DynamoDB cost of one message to a small room', () => {
  it('with a client id (protocol 3): 5 requests, 7 write units and half a read unit', async () => {
    // Act
    const measured = await measure('new1', { message: 'hello', clientId: 'cost-1' });

    // Assess: rate limit, claim, serial, commit (a transaction: two items, twice the units),
    // members
    expect(measured.map((request) => request.operation)).toEqual([
      'UpdateItem',
      'PutItem',
      'UpdateItem',
      'TransactWriteItems',
      'Query',
    ]);
    expect(total(measured, 'writeUnits')).toBe(7);
    expect(total(measured, 'readUnits')).toBe(0.5);
    // Everyone in the room but the sender
    expect(posted.toSorted()).toEqual(['new2', 'new3', 'old1', 'old2']);
  });

  it('without a client id (an old client): 4 requests, 3 write units and half a read unit, as before', async () => {
    // Act
    const measured = await measure('old1', { action: 'sendmessage', message: 'hello' });

    // Assess: rate limit, serial, history put, members
    expect(measured.map((request) => request.operation)).toEqual([
      'UpdateItem',
      'UpdateItem',
      'PutItem',
      'Query',
    ]);
    expect(total(measured, 'writeUnits')).toBe(3);
    expect(total(measured, 'readUnits')).toBe(0.5);
  });

  it('sent again with the same client id: the refused claim, and nothing written or read', async () => {
    // Act
    const measured = await measure('new1', { message: 'hello', clientId: 'cost-1' });

    // Assess: after the rate limit (two updates now that the sender's bucket is busy, as
    // before), the refused claim; dynalite does not return the item with the refusal, so it is
    // read, a request DynamoDB itself spares
    expect(measured.map((request) => request.operation).slice(-2)).toEqual(['PutItem', 'GetItem']);
    expect(measured.filter((request) => request.operation === 'UpdateItem')).toHaveLength(2);
    expect(measured).toHaveLength(4);
    expect(posted).toEqual([]);
    expect(replies).toEqual(['new1']);
  });
});

/** The requests one `$connect` or `$disconnect` makes. */
async function measureEvent(event: WebSocketEvent): Promise<Request[]> {
  requests.length = 0;
  await handler(event);
  return [...requests];
}

describe('the cost of a message as on AWS without sign-in: every event has its source IP', () => {
  const from = (id: string) => ({ connectionId: id, sourceIp: `198.51.100.${id.length}` });

  beforeAll(async () => {
    for (const id of ['ip1', 'ip22', 'ip333']) {
      await handler(
        webSocketEvent('$connect', { ...from(id), query: { room: 'cost-ip', v: '3' } }),
      );
    }
  });

  /** The requests of one message of a connection with its source IP. */
  async function measureFrom(id: string, frame: Record<string, unknown>): Promise<Request[]> {
    requests.length = 0;
    await handler(webSocketEvent('$default', { ...from(id), body: JSON.stringify(frame) }));
    return [...requests];
  }

  it("with a client id: 6 requests, one more than without the address's budget", async () => {
    // Act
    const measured = await measureFrom('ip1', { message: 'hello', clientId: 'cost-ip-1' });

    // Assess: the connection's and the address's buckets (in parallel, in either order), claim,
    // serial, commit, members
    expect(measured.map((request) => request.operation).slice(0, 2)).toEqual([
      'UpdateItem',
      'UpdateItem',
    ]);
    expect(measured.map((request) => request.operation).slice(2)).toEqual([
      'PutItem',
      'UpdateItem',
      'TransactWriteItems',
      'Query',
    ]);
    expect(total(measured, 'writeUnits')).toBe(8);
    expect(total(measured, 'readUnits')).toBe(0.5);
  });

  it('without a client id: 5 requests', async () => {
    const measured = await measureFrom('ip22', { message: 'hello' });

    expect(measured.map((request) => request.operation)).toEqual([
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
      'PutItem',
      'Query',
    ]);
  });

  it('a ping: the two buckets, nothing else', async () => {
    const measured = await measureFrom('ip333', { action: 'ping' });

    expect(measured.map((request) => request.operation)).toEqual(['UpdateItem', 'UpdateItem']);
  });

  it('a connect: the item, the place of its address, then the two counts; a disconnect the same', async () => {
    // Act
    const connect = await measureEvent(
      webSocketEvent('$connect', { ...from('ip4444'), query: { room: 'cost-ip', v: '3' } }),
    );
    const disconnect = await measureEvent(webSocketEvent('$disconnect', from('ip4444')));

    // Assess: a small room's leave also lists it and reads its members' versions
    expect(connect.map((request) => request.operation)).toEqual([
      'PutItem',
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
    ]);
    expect(disconnect.map((request) => request.operation).slice(0, 4)).toEqual([
      'DeleteItem',
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
    ]);
  });
});

describe('the cost of a message signed in: the room comes with the event', () => {
  let signedIn: ChatHandler;
  const ada = { senderId: 'AdaAdaAdaAdaAda0', senderName: 'Ada', room: 'cost-auth' };
  const bob = { senderId: 'BobBobBobBobBob0', senderName: 'Bob', room: 'cost-auth' };
  const as = (id: string, user: typeof ada) => ({
    connectionId: id,
    sourceIp: '203.0.113.1',
    authorizer: { ...user, protocolVersion: '3' },
  });

  beforeAll(async () => {
    signedIn = handlerWith({ authMode: 'cognito' });
    await signedIn(
      webSocketEvent('$connect', { ...as('ada1', ada), query: { room: 'cost-auth', v: '3' } }),
    );
    await signedIn(
      webSocketEvent('$connect', { ...as('bob1', bob), query: { room: 'cost-auth', v: '3' } }),
    );
  });

  async function measureAs(
    id: string,
    user: typeof ada,
    frame: Record<string, unknown>,
  ): Promise<Request[]> {
    requests.length = 0;
    posted.length = 0;
    await signedIn(webSocketEvent('$default', { ...as(id, user), body: JSON.stringify(frame) }));
    return [...requests];
  }

  it("with a client id: 5 requests, the user's bucket in place of the connection's", async () => {
    const measured = await measureAs('ada1', ada, { message: 'hello', clientId: 'cost-auth-1' });

    expect(measured.map((request) => request.operation)).toEqual([
      'UpdateItem',
      'PutItem',
      'UpdateItem',
      'TransactWriteItems',
      'Query',
    ]);
    expect(total(measured, 'writeUnits')).toBe(7);
    expect(total(measured, 'readUnits')).toBe(0.5);
    expect(posted).toEqual(['bob1']);
  });

  it('without a client id: 4 requests', async () => {
    const measured = await measureAs('bob1', bob, { message: 'hello' });

    expect(measured.map((request) => request.operation)).toEqual([
      'UpdateItem',
      'UpdateItem',
      'PutItem',
      'Query',
    ]);
  });
});
