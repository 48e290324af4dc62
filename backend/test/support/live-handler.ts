/**
 * The real handler on a real DynamoDB-compatible server (dynalite), with a stand-in of API
 * Gateway's management API that records every post and close and knows which connections are
 * open, and a clock the test moves: what the per-person limits need to be tested across
 * connections, reconnections and lost `$disconnect`s.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPeople } from '../../src/access/people.ts';
import { createRateLimiter } from '../../src/access/rate-limiter.ts';
import type { Config } from '../../src/config.ts';
import type { ChatHandler } from '../../src/create-handler.ts';
import { createHandler } from '../../src/create-handler.ts';
import type { InvocationLog } from '../../src/deps.ts';
import { collectInvocationMetrics } from '../../src/metrics.ts';
import { newMessageId } from '../../src/protocol/message-id.ts';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import { createMessageClaims } from '../../src/rooms/message-claims.ts';
import { createOpenConnections } from '../../src/rooms/open-connections.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import { testConfig } from './config.ts';
import type { TestDynamoDb } from './dynalite.ts';
import { TEST_CREDENTIALS, TEST_REGION } from './dynalite.ts';

/** The handler and what the stand-in of API Gateway saw. */
export interface LiveRig {
  readonly handler: ChatHandler;
  readonly documentClient: DynamoDBDocumentClient;
  /** Every frame posted, to whom, in order (replies and broadcasts alike). */
  readonly posted: { readonly connectionId: string; readonly frame: Record<string, unknown> }[];
  /** Connections closed with DeleteConnection. */
  readonly closed: string[];
  /** Connections asked about with GetConnection. */
  readonly asked: string[];
  /** The connections API Gateway holds open; GetConnection answers 410 for any other. */
  readonly open: Set<string>;
  readonly logs: InvocationLog[];
  /** Moves the handler's clock. */
  advance(milliseconds: number): void;
  /** The frames posted to one connection. */
  framesTo(connectionId: string): Record<string, unknown>[];
}

/** The configuration every live rig starts from. */
export function liveConfig(dynamoDb: TestDynamoDb, overrides: Partial<Config> = {}): Config {
  return testConfig({
    tableName: dynamoDb.tableName,
    roomsTableName: dynamoDb.roomsTableName,
    apigwEndpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    ...overrides,
  });
}

/**
 * Builds the handler on dynalite.
 * @param dynamoDb - the running dynalite
 * @param overrides - configuration to change
 * @param start - the clock's first instant
 * @returns the rig
 */
export function liveHandler(
  dynamoDb: TestDynamoDb,
  overrides: Partial<Config> = {},
  start = new Date('2026-11-27T06:00:00.000Z'),
): LiveRig {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoDb.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    }),
  );
  const config = liveConfig(dynamoDb, overrides);
  let now = start.getTime();
  const posted: LiveRig['posted'] = [];
  const closed: string[] = [];
  const asked: string[] = [];
  const open = new Set<string>();
  const logs: InvocationLog[] = [];
  const gone = () => new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
  const managementApi = {
    async send(command: unknown) {
      if (command instanceof PostToConnectionCommand) {
        const id = command.input.ConnectionId ?? '';
        if (!open.has(id)) throw gone();
        const data = command.input.Data;
        const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array);
        posted.push({ connectionId: id, frame: JSON.parse(text) });
        return {};
      }
      if (command instanceof GetConnectionCommand) {
        const id = command.input.ConnectionId ?? '';
        asked.push(id);
        if (!open.has(id)) throw gone();
        return {};
      }
      if (command instanceof DeleteConnectionCommand) {
        const id = command.input.ConnectionId ?? '';
        closed.push(id);
        if (!open.delete(id)) throw gone();
        return {};
      }
      throw new Error('unexpected command');
    },
  } as unknown as ApiGatewayManagementApiClient;
  const handler = createHandler({
    config,
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
    managementClientFor: () => managementApi,
    posterFor: () => async (connectionId, data) => {
      if (!open.has(connectionId)) throw gone();
      posted.push({ connectionId, frame: JSON.parse(new TextDecoder().decode(data)) });
    },
    shardQueue: undefined,
    deadLetters: undefined,
    callbackBudget: undefined,
    now: () => new Date(now),
    newMessageId,
    log: (line) => logs.push(line),
    metrics: collectInvocationMetrics(() => {}),
  });
  return {
    handler,
    documentClient: client,
    posted,
    closed,
    asked,
    open,
    logs,
    advance: (milliseconds) => {
      now += milliseconds;
    },
    framesTo: (connectionId) =>
      posted.filter((post) => post.connectionId === connectionId).map((post) => post.frame),
  };
}
