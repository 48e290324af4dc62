/**
 * The handler wired to aws-sdk-client-mock doubles of DynamoDB and the management API, with a
 * fixed clock and a captured log, so each test states only what it cares about.
 */
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach } from 'vitest';
import { createPeople } from '../../src/access/people.ts';
import { createRateLimiter } from '../../src/access/rate-limiter.ts';
import type { CallbackBudget } from '../../src/broadcast/callback-budget.ts';
import type { DeadLetterQueue } from '../../src/broadcast/dead-letter-queue.ts';
import { createPerEndpointCache } from '../../src/broadcast/management-clients.ts';
import type { Pacer, PacerClock } from '../../src/broadcast/pacer.ts';
import { createPacer } from '../../src/broadcast/pacer.ts';
import { sdkPoster } from '../../src/broadcast/poster.ts';
import type { ShardJob } from '../../src/broadcast/shard-job.ts';
import type { ShardQueue } from '../../src/broadcast/shard-queue.ts';
import type { Config } from '../../src/config.ts';
import type { ChatHandler } from '../../src/create-handler.ts';
import { createHandler } from '../../src/create-handler.ts';
import type { InvocationLog } from '../../src/deps.ts';
import { createInvocationClock } from '../../src/invocation-deadline.ts';
import { withInvocationScope } from '../../src/invocation-scope.ts';
import type { InvocationValues } from '../../src/metrics.ts';
import { collectInvocationMetrics } from '../../src/metrics.ts';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import { createMessageClaims } from '../../src/rooms/message-claims.ts';
import { createOpenConnections } from '../../src/rooms/open-connections.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import { testConfig } from './config.ts';

/** The instant every test handler sees as "now". */
export const NOW = new Date('2026-11-27T06:00:00.000Z');
/** NOW in epoch seconds, as TTL attributes and filters hold it. */
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

/** The tables every test handler is configured with. */
export const CONNECTIONS_TABLE = 'connections';
export const ROOMS_TABLE = 'rooms';

/** Region and dummy credentials, so no test ever looks for real ones. */
const clientConfig = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** The id every message built by a test handler carries. */
export const MESSAGE_ID = '01KB0000000000000000000000';

/** A shard queue that records what was enqueued (and can refuse it). */
export interface RecordingQueue extends ShardQueue {
  readonly enqueued: { readonly job: ShardJob; readonly delaySeconds: number }[];
  /** When set, enqueue hands every job back as not enqueued. */
  refuse: boolean;
}

/**
 * A shard queue double for unit tests.
 * @returns the queue, recording every job
 */
export function recordingQueue(): RecordingQueue {
  const queue: RecordingQueue = {
    enqueued: [],
    refuse: false,
    async enqueue(jobs, delaySeconds = 0) {
      if (queue.refuse) return [...jobs];
      for (const job of jobs) queue.enqueued.push({ job, delaySeconds });
      return [];
    },
  };
  return queue;
}

/** A dead-letter queue that records what it keeps (and can refuse it). */
export interface RecordingDeadLetters extends DeadLetterQueue {
  readonly kept: { readonly job: ShardJob; readonly reason: string }[];
  /** When set, put hands every job back as refused. */
  refuse: boolean;
}

/**
 * A dead-letter queue double for unit tests.
 * @returns the queue, recording every job with its reason
 */
export function recordingDeadLetters(): RecordingDeadLetters {
  const queue: RecordingDeadLetters = {
    kept: [],
    refuse: false,
    async put(jobs, reason) {
      if (queue.refuse) return [...jobs];
      for (const job of jobs) queue.kept.push({ job, reason });
      return [];
    },
  };
  return queue;
}

/** A clock whose sleeps only move its own time forward: waits take no real time. */
export interface FakeClock extends PacerClock {
  /** Moves the clock forward. */
  advance(milliseconds: number): void;
}

/**
 * A fake clock for pacing and retry tests.
 * @param start - its first instant (epoch ms)
 * @returns the clock
 */
export function fakeClock(start = NOW.getTime()): FakeClock {
  let time = start;
  return {
    now: () => time,
    async sleep(milliseconds) {
      time += Math.max(0, milliseconds);
    },
    advance(milliseconds) {
      time += milliseconds;
    },
  };
}

/**
 * A pacer that never waits and has no deadline: what a test of the plan (not of pacing) needs.
 * @returns the pacer
 */
export function unpacedPacer(): Pacer {
  return createPacer({
    budget: undefined,
    postsPerSecond: Number.MAX_SAFE_INTEGER,
    clock: fakeClock(),
    timeToStopMs: () => Number.POSITIVE_INFINITY,
  });
}

/** Overrides of the test handler's dependencies. */
export interface RigOptions {
  readonly queue?: ShardQueue;
  /** The shared callback budget; none by default (AIMD pacing alone). */
  readonly callbackBudget?: CallbackBudget;
  /** The dead-letter queue; none by default. */
  readonly deadLetters?: DeadLetterQueue;
}

/** A handler under test and its doubles. */
export interface TestRig {
  readonly handler: ChatHandler;
  readonly dynamoDb: AwsClientStub<DynamoDBDocumentClient>;
  readonly managementApi: AwsClientStub<ApiGatewayManagementApiClient>;
  /** Endpoints the handler asked a management client for, in order of client creation. */
  readonly clientEndpoints: string[];
  readonly logs: InvocationLog[];
  /** The metrics each invocation published, in order (one entry per invocation that had any). */
  readonly metrics: InvocationValues[];
  /** Removes the mocks (the management API mock patches the client class for every instance). */
  restore(): void;
}

/**
 * Builds a handler with mocked AWS clients.
 * @param config - overrides of the default test configuration
 * @returns the handler, the mocks and what was logged
 */
export function createTestRig(config: Partial<Config> = {}, options: RigOptions = {}): TestRig {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
  const dynamoDb = mockClient(documentClient);
  // Writes succeed with an empty answer unless a test says otherwise (aws-sdk-client-mock
  // resolves unmocked commands with undefined, which no real client does).
  dynamoDb.on(PutCommand).resolves({});
  dynamoDb.on(UpdateCommand).resolves({});
  // The rooms table's counter returns the room's item, as every UpdateItem there asks for.
  dynamoDb.on(UpdateCommand, { TableName: ROOMS_TABLE }).resolves({ Attributes: { seq: 1 } });
  dynamoDb.on(DeleteCommand).resolves({});
  // A read finds nothing unless a test says otherwise.
  dynamoDb.on(GetCommand).resolves({});
  const managementApi = mockClient(ApiGatewayManagementApiClient);
  const clientEndpoints: string[] = [];
  const logs: InvocationLog[] = [];
  const fullConfig: Config = testConfig({
    tableName: CONNECTIONS_TABLE,
    roomsTableName: ROOMS_TABLE,
    apigwEndpoint: undefined,
    ...config,
  });
  const managementClientFor = createPerEndpointCache((endpoint) => {
    clientEndpoints.push(endpoint);
    return new ApiGatewayManagementApiClient({ ...clientConfig, endpoint });
  });
  const published: InvocationValues[] = [];
  const metrics = collectInvocationMetrics((values) => published.push(values));
  const inner = createHandler({
    config: fullConfig,
    store: createConnectionStore({ client: documentClient, tableName: CONNECTIONS_TABLE }),
    openConnections: createOpenConnections({ client: documentClient, tableName: ROOMS_TABLE }),
    rooms: createRoomStore({
      client: documentClient,
      tableName: ROOMS_TABLE,
      historyMaxMessages: fullConfig.historyMaxMessages,
      historyTtlSeconds: fullConfig.historyTtlSeconds,
    }),
    claims: createMessageClaims({ client: documentClient, tableName: ROOMS_TABLE }),
    rateLimiter: createRateLimiter({
      client: documentClient,
      tableName: CONNECTIONS_TABLE,
      limit: fullConfig.rateLimit,
    }),
    people: createPeople({ client: documentClient, tableName: ROOMS_TABLE }),
    managementClientFor,
    // Posts go through the mocked client, so tests see every post as a PostToConnectionCommand.
    posterFor: (endpoint) => sdkPoster(managementClientFor(endpoint)),
    shardQueue: options.queue,
    callbackBudget: options.callbackBudget,
    deadLetters: options.deadLetters,
    now: () => NOW,
    newMessageId: () => MESSAGE_ID,
    log: (line) => logs.push(line),
    metrics,
  });
  // Wrapped as handler.ts wraps it: the deadline for the SDK clients, one metrics record each.
  const handler = withInvocationScope(inner, {
    clock: createInvocationClock(),
    onEnd: () => metrics.publish(),
  });
  return {
    handler,
    dynamoDb,
    managementApi,
    clientEndpoints,
    logs,
    metrics: published,
    restore: () => {
      dynamoDb.restore();
      managementApi.restore();
    },
  };
}

/**
 * A test rig per test: registers an `afterEach` that removes the mocks of the rig the test built,
 * since the management API mock patches the client class for every instance.
 * @returns a function that builds the test's rig, taking createTestRig's arguments
 */
export function rigPerTest(): (...args: Parameters<typeof createTestRig>) => TestRig {
  let rig: TestRig | undefined;
  afterEach(() => {
    rig?.restore();
    rig = undefined;
  });
  return (...args) => {
    rig = createTestRig(...args);
    return rig;
  };
}

const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });

/** What the SDK throws for a recipient that disconnected. */
export const goneError = (): GoneException =>
  new GoneException({ message: 'Gone', $metadata: metadata(410) });

/** What the SDK throws for a wrong endpoint or a missing IAM permission. */
export const forbiddenError = (): ForbiddenException =>
  new ForbiddenException({ message: 'Forbidden', $metadata: metadata(403) });

/** What the SDK throws when throttled or a client's buffer is full. */
export const throttledError = (): LimitExceededException =>
  new LimitExceededException({ message: 'Limit', $metadata: metadata(429) });

/** What DynamoDB throws for a conditional write whose condition failed (an empty bucket). */
export const conditionFailedError = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
  });

/**
 * Recipients of the rig's PostToConnection calls, in call order.
 * @param testRig - the rig whose management API mock is read
 * @returns the connection ids posted to
 */
export function postedTo(testRig: TestRig): string[] {
  return testRig.managementApi
    .commandCalls(PostToConnectionCommand)
    .map((call) => call.args[0].input.ConnectionId ?? '');
}

/**
 * Reads back the JSON a PostToConnection call carried.
 * @param data - the command's `Data`
 * @returns the parsed event
 */
export function decodePosted(data: unknown): unknown {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array);
  return JSON.parse(text);
}

/**
 * The UpdateItem inputs a test's rig sent for rooms, leaving out the chat-wide items (the callback
 * budget, the count of open connections), whose keys begin with `#`, which no room name can.
 * @param dynamoDb - the rig's mocked document client
 * @returns the inputs, in the order sent
 */
export function roomUpdates(
  dynamoDb: AwsClientStub<DynamoDBDocumentClient>,
): UpdateCommand['input'][] {
  return dynamoDb
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => !String(input.Key?.room ?? '').startsWith('#'));
}
