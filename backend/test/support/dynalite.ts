/**
 * A real DynamoDB-compatible server for integration tests: the local stack's own dynalite, in
 * memory on a free port of 127.0.0.1, with both tables created as the local stack creates them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, startLocalDynamoDb } from '../../../tools/local-stack/src/dynamodb.ts';

/** dynalite checks no signature, but the SDK insists on signing with something. */
export const TEST_CREDENTIALS = LOCAL_CREDENTIALS;
export const TEST_REGION = 'eu-west-1';
/** The rooms table every test server has beside its connections table. */
export const TEST_ROOMS_TABLE = 'rooms';

/** A running dynalite with the connections and rooms tables. */
export interface TestDynamoDb {
  readonly endpoint: string;
  readonly tableName: string;
  readonly roomsTableName: string;
  /** A plain client for the endpoint, for arranging and inspecting data. */
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite and creates the tables.
 * @param tableName - the connections table to create
 * @returns the server's endpoint, a client and a stop function
 */
export async function startTestDynamoDb(tableName: string): Promise<TestDynamoDb> {
  const dynamo = await startLocalDynamoDb({
    host: '127.0.0.1',
    port: 0,
    persistDir: undefined,
    tableName,
    roomsTableName: TEST_ROOMS_TABLE,
    region: TEST_REGION,
  });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  return {
    endpoint: dynamo.endpoint,
    tableName,
    roomsTableName: TEST_ROOMS_TABLE,
    client,
    stop: async () => {
      client.destroy();
      await dynamo.stop();
    },
  };
}
