/**
 * The Lambda entry point (`index.handler` in the bundle). Everything here runs once per
 * container, at cold start: configuration is read and validated, SDK clients are created, and
 * the handler is wired from them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPeople } from './access/people.ts';
import { createRateLimiter } from './access/rate-limiter.ts';
import { createCallbackBudget } from './broadcast/callback-budget.ts';
import { createDeadLetterQueue } from './broadcast/dead-letter-queue.ts';
import { POST_TIMEOUT_MS } from './broadcast/fanout.ts';
import { createManagementClient, createPerEndpointCache } from './broadcast/management-clients.ts';
import { signedPoster } from './broadcast/poster.ts';
import { createShardQueue } from './broadcast/shard-queue.ts';
import { loadConfig } from './config.ts';
import { logToConsole } from './console-logger.ts';
import type { ChatHandler } from './create-handler.ts';
import { createHandler } from './create-handler.ts';
import { createInvocationClock } from './invocation-deadline.ts';
import { withInvocationScope } from './invocation-scope.ts';
import { createEmfMetrics } from './metrics.ts';
import { newMessageId } from './protocol/message-id.ts';
import { createConnectionStore } from './rooms/connection-store.ts';
import { createMessageClaims } from './rooms/message-claims.ts';
import { createOpenConnections } from './rooms/open-connections.ts';
import { createRoomStore } from './rooms/room-store.ts';
import { createDeadlineCappedHandler } from './sdk-request-handler.ts';

const config = loadConfig(process.env);
/** One invocation at a time per container: its deadline is the container's. */
const clock = createInvocationClock();
// The service dimension is the function's name: several stacks in one account stay apart.
const metrics = createEmfMetrics({
  serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'awsome-chat',
});

// The SDK reads AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS itself, which is how the
// local stack points these clients at its own servers without any variable of ours.
const dynamoDb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ requestHandler: createDeadlineCappedHandler({ deadline: clock }) }),
);
const sqs = new SQSClient({ requestHandler: createDeadlineCappedHandler({ deadline: clock }) });
const managementClientFor = createPerEndpointCache((endpoint) =>
  createManagementClient(endpoint, config.sendConcurrency, clock),
);

/** The function API Gateway invokes for every WebSocket route, and SQS for every shard batch. */
export const handler: ChatHandler = withInvocationScope(
  createHandler({
    config,
    store: createConnectionStore({ client: dynamoDb, tableName: config.tableName }),
    rooms: createRoomStore({
      client: dynamoDb,
      tableName: config.roomsTableName,
      historyMaxMessages: config.historyMaxMessages,
      historyTtlSeconds: config.historyTtlSeconds,
    }),
    openConnections: createOpenConnections({ client: dynamoDb, tableName: config.roomsTableName }),
    claims: createMessageClaims({ client: dynamoDb, tableName: config.roomsTableName }),
    rateLimiter: createRateLimiter({
      client: dynamoDb,
      tableName: config.tableName,
      limit: config.rateLimit,
    }),
    people: createPeople({ client: dynamoDb, tableName: config.roomsTableName }),
    managementClientFor,
    posterFor: createPerEndpointCache((endpoint) =>
      signedPoster({
        client: managementClientFor(endpoint),
        endpoint,
        maxSockets: config.sendConcurrency,
        timeoutMs: POST_TIMEOUT_MS,
      }),
    ),
    shardQueue:
      config.shardQueueUrl === undefined
        ? undefined
        : createShardQueue({ client: sqs, queueUrl: config.shardQueueUrl }),
    deadLetters:
      config.deadLetterQueueUrl === undefined
        ? undefined
        : createDeadLetterQueue({ client: sqs, queueUrl: config.deadLetterQueueUrl }),
    callbackBudget: createCallbackBudget({
      client: dynamoDb,
      tableName: config.roomsTableName,
      postsPerSecond: config.callbackRateLimit,
    }),
    now: () => new Date(),
    newMessageId,
    log: logToConsole,
    metrics,
  }),
  { clock, onEnd: () => metrics.publish() },
);
