/**
 * The naive handler, the load benchmark's second baseline: what a first serverless chat looks
 * like, in the shape of AWS's simple WebSocket chat sample. `$connect` puts the connection id,
 * `$disconnect` deletes it, and a message reads every id with one paginated Scan, then posts to
 * all of them at once with Promise.all, deleting the ids that answer 410 Gone. No validation, no
 * Origin check, no TTL, no bound on posts in flight; one failed post fails the whole broadcast.
 * It leaves the sender out, as ours does, so both do the same work for the load generator.
 *
 * The local stack runs it as it runs our bundle (`npm start -- --handler
 * tools/bench/src/load/naive-handler.ts`), with the same SDK v3 clients at module scope.
 */
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { toOutgoingEvent } from './chat-event.ts';

const { partitionKey } = contract.table;
const tableName = process.env[contract.environment.tableName];
const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const managementApi = new ApiGatewayManagementApiClient({
  endpoint: process.env[contract.environment.apigwEndpoint],
});

/**
 * Handles `$connect`, `$disconnect` and every message.
 * @param event - the WebSocket proxy event
 * @returns 200, or 400 for a frame that is not a chat message
 */
export async function handler(
  event: APIGatewayProxyWebsocketEventV2,
): Promise<{ statusCode: number }> {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') {
    await dynamoDb.send(
      new PutCommand({ TableName: tableName, Item: { [partitionKey]: connectionId } }),
    );
  } else if (routeKey === '$disconnect') {
    await forget(connectionId);
  } else {
    const data = toOutgoingEvent(event.body ?? '');
    if (data === undefined) return { statusCode: 400 };
    const recipients: string[] = [];
    const pages = paginateScan({ client: dynamoDb }, { TableName: tableName });
    for await (const page of pages) {
      for (const item of page.Items ?? []) recipients.push(String(item[partitionKey]));
    }
    await Promise.all(recipients.filter((id) => id !== connectionId).map((id) => post(id, data)));
  }
  return { statusCode: 200 };
}

async function post(connectionId: string, data: string): Promise<void> {
  try {
    await managementApi.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }),
    );
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'GoneException') throw error;
    await forget(connectionId);
  }
}

async function forget(connectionId: string): Promise<void> {
  await dynamoDb.send(
    new DeleteCommand({ TableName: tableName, Key: { [partitionKey]: connectionId } }),
  );
}
