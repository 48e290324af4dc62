/**
 * The handler wired to aws-sdk-client-mock doubles of DynamoDB and the management API, with a
 * fixed clock and a captured log, so each test states only what it cares about.
 */
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import type { Config } from '../../src/config.ts';
import { createConnectionStore } from '../../src/connection-store.ts';
import type { WebSocketHandler } from '../../src/create-handler.ts';
import { createHandler } from '../../src/create-handler.ts';
import { createManagementClientCache } from '../../src/management-clients.ts';
import type { InvocationLog } from '../../src/types.ts';

/** The instant every test handler sees as "now". */
export const NOW = new Date('2026-11-27T06:00:00.000Z');

/** Region and dummy credentials, so no test ever looks for real ones. */
const clientConfig = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** A handler under test and its doubles. */
export interface TestRig {
  readonly handler: WebSocketHandler;
  readonly dynamoDb: AwsClientStub<DynamoDBDocumentClient>;
  readonly managementApi: AwsClientStub<ApiGatewayManagementApiClient>;
  /** Endpoints the handler asked a management client for, in order of client creation. */
  readonly clientEndpoints: string[];
  readonly logs: InvocationLog[];
  /** Removes the mocks (the management API mock patches the client class for every instance). */
  restore(): void;
}

/**
 * Builds a handler with mocked AWS clients.
 * @param config - overrides of the default test configuration
 * @returns the handler, the mocks and what was logged
 */
export function createTestRig(config: Partial<Config> = {}): TestRig {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
  const dynamoDb = mockClient(documentClient);
  const managementApi = mockClient(ApiGatewayManagementApiClient);
  const clientEndpoints: string[] = [];
  const logs: InvocationLog[] = [];
  const handler = createHandler({
    config: {
      tableName: 'connections',
      apigwEndpoint: undefined,
      allowedOrigins: undefined,
      maxMessageLength: 2000,
      sendConcurrency: 4,
      ...config,
    },
    store: createConnectionStore({ client: documentClient, tableName: 'connections' }),
    managementClientFor: createManagementClientCache((endpoint) => {
      clientEndpoints.push(endpoint);
      return new ApiGatewayManagementApiClient({ ...clientConfig, endpoint });
    }),
    now: () => NOW,
    log: (line) => logs.push(line),
  });
  return {
    handler,
    dynamoDb,
    managementApi,
    clientEndpoints,
    logs,
    restore: () => {
      dynamoDb.restore();
      managementApi.restore();
    },
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

/**
 * Reads back the JSON a PostToConnection call carried.
 * @param data - the command's `Data`
 * @returns the parsed event
 */
export function decodePosted(data: unknown): unknown {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array);
  return JSON.parse(text);
}
