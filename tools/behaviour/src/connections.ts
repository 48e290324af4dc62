/**
 * What the runner may do to a chat's connections from outside, with AWS's own clients: close one
 * through `@connections` (DeleteConnection), and read which connections a room has from the
 * connections table's room index, as the function reads them. The same code serves the local
 * stack (its endpoints, fake credentials) and a deployed one (the user's credentials).
 */
import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

/**
 * The management endpoint of a WebSocket API (pure): the same host and stage over http(s), as
 * API Gateway serves `@connections` and the local stack copies it.
 * @param websocketUrl - e.g. `wss://abc.execute-api.eu-west-1.amazonaws.com/prod`
 * @returns e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`
 */
export function managementEndpointOf(websocketUrl: string): string {
  return websocketUrl.replace(/^ws(s?):/, 'http$1:');
}

/** Closes connections through `@connections`. */
export interface ConnectionCloser {
  deleteConnection(connectionId: string): Promise<void>;
  destroy(): void;
}

/**
 * DeleteConnection through the real `ApiGatewayManagementApiClient`.
 * @param config - the endpoint, and the region and credentials (the SDK's default chain when left
 *   out)
 * @returns the closer; `destroy()` it when done
 */
export function connectionCloser(config: ApiGatewayManagementApiClientConfig): ConnectionCloser {
  const client = new ApiGatewayManagementApiClient(config);
  return {
    async deleteConnection(connectionId) {
      await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    },
    destroy: () => client.destroy(),
  };
}

/** Reads a room's connection ids. */
export interface RoomReader {
  connectionIds(room: string): Promise<string[]>;
  destroy(): void;
}

/**
 * The connection ids of a room, from the connections table's room index, every page of it.
 * @param tableName - the connections table
 * @param config - the region, credentials and (locally) the endpoint
 * @returns the reader; `destroy()` it when done
 */
export function roomReader(tableName: string, config: DynamoDBClientConfig): RoomReader {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  return {
    async connectionIds(room) {
      const ids: string[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tableName,
          IndexName: contract.table.roomIndex,
          KeyConditionExpression: '#room = :room',
          ExpressionAttributeNames: { '#room': contract.table.roomAttribute },
          ExpressionAttributeValues: { ':room': room },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) ids.push(String(item[contract.table.partitionKey]));
      }
      return ids;
    },
    destroy: () => client.destroy(),
  };
}

/**
 * Whether the SDK finds a region and credentials for the runner's calls, and if not, why.
 * @param region - the region, or undefined for the SDK's own choice
 * @returns undefined when both are there, else what is missing
 */
export async function missingAwsConfig(region: string | undefined): Promise<string | undefined> {
  const client = new DynamoDBClient(region === undefined ? {} : { region });
  try {
    try {
      await client.config.region();
    } catch {
      return 'found no AWS region: pass --region, or set AWS_REGION';
    }
    try {
      await client.config.credentials();
    } catch {
      return (
        'found no AWS credentials in the SDK default chain (AWS_PROFILE, aws sso login, the ' +
        'environment)'
      );
    }
    return undefined;
  } finally {
    client.destroy();
  }
}
