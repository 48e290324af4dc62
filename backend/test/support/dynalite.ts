/**
 * A real DynamoDB-compatible server for integration tests: dynalite in memory on a free port of
 * 127.0.0.1, with the connections table created from contract.json's key.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import contract from '../../src/contract.json' with { type: 'json' };

/** dynalite checks no signature, but the SDK insists on signing with something. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const TEST_REGION = 'eu-west-1';

/** A running dynalite with one table. */
export interface TestDynamoDb {
  readonly endpoint: string;
  readonly tableName: string;
  /** A plain client for the endpoint, for arranging and inspecting data. */
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite and creates the connections table.
 * @param tableName - the table to create
 * @returns the server's endpoint, a client and a stop function
 */
export async function startTestDynamoDb(tableName: string): Promise<TestDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: contract.table.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: contract.table.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    endpoint,
    tableName,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
