/**
 * The Lambda entry point (`index.handler` in the bundle). Everything here runs once per
 * container, at cold start: configuration is read and validated, SDK clients are created, and
 * the handler is wired from them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from './config.ts';
import { createConnectionStore } from './connection-store.ts';
import type { WebSocketHandler } from './create-handler.ts';
import { createHandler, logToConsole } from './create-handler.ts';
import { createManagementClient, createManagementClientCache } from './management-clients.ts';

const config = loadConfig(process.env);

// The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how the local stack points this
// client at its DynamoDB server without any variable of ours.
const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** The function API Gateway invokes for `$connect`, `$disconnect` and `$default`. */
export const handler: WebSocketHandler = createHandler({
  config,
  store: createConnectionStore({ client: dynamoDb, tableName: config.tableName }),
  managementClientFor: createManagementClientCache((endpoint) =>
    createManagementClient(endpoint, config.sendConcurrency),
  ),
  now: () => new Date(),
  log: logToConsole,
});
