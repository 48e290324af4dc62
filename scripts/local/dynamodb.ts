/**
 * The local stand-in for DynamoDB: dynalite (a DynamoDB-compatible HTTP server on LevelDB), in
 * memory or persisted to a folder, with the connections table created from contract.json's key.
 */
import type { Server } from 'node:http';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import contract from '../../backend/src/contract.json' with { type: 'json' };
import { closeServer, listen } from './listen.ts';

/**
 * Fake credentials for every SDK client of the local stack (the function's, the tests'): nothing
 * local checks signatures, but the SDK insists on signing. A Lambda function always has a session
 * token, so there is one here too.
 */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
  sessionToken: 'local',
} as const;

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** e.g. `http://127.0.0.1:8000`, for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Where and how to run it. */
export interface LocalDynamoDbOptions {
  readonly host: string;
  readonly port: number;
  /** Folder for LevelDB files; in memory when undefined. */
  readonly persistDir: string | undefined;
  readonly tableName: string;
  readonly region: string;
}

/**
 * Starts dynalite and makes sure the connections table exists (keyed by contract.json's partition
 * key). dynalite has no UpdateTimeToLive, so the TTL attribute is stored but items never expire
 * locally; stale ids are still cleaned up by the handler on its next 410.
 *
 * @throws PortInUseError when the port is taken.
 */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const server: Server = dynalite({
    path: options.persistDir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listen(server, options.host, options.port, '--dynamo-port');
  const endpoint = `http://${urlHost(options.host)}:${port}`;
  const stop = async (): Promise<void> => {
    // Requests already inside dynalite (say, from a Lambda container just terminated) must end
    // before its store closes, or dynalite throws "Database is closed" out of a callback and takes
    // the process down. In-memory operations take a few milliseconds; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closeServer(server);
  };
  try {
    await createConnectionsTable(endpoint, options);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function createConnectionsTable(
  endpoint: string,
  options: LocalDynamoDbOptions,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: options.tableName,
        AttributeDefinitions: [{ AttributeName: contract.table.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: contract.table.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    // With --persist the table survives restarts.
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}

/** A host as it appears in a URL: IPv6 in brackets, the unspecified address as loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return host === '::' ? '[::1]' : '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
