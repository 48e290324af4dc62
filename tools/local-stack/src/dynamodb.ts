/**
 * The local stand-in for DynamoDB: dynalite (a DynamoDB-compatible HTTP server on LevelDB), in
 * memory or persisted to a folder, with the connections table created from contract.json's key.
 * Nothing checks a signature, so the stack starts it on loopback only and it refuses web pages.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { answerTransactions } from './dynamodb-transactions.ts';
import { closeServer, listen } from './listen.ts';
import { urlHost } from './network.ts';

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

/**
 * An SDK client for a local DynamoDB (the stack's, or a recorder in front of it).
 * @param endpoint - e.g. `http://127.0.0.1:8000`
 * @param region - the stack's region
 * @returns the client; `destroy()` it when done
 */
export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** e.g. `http://127.0.0.1:8000`, for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  /**
   * Answers a request that came in through another server (the fault-injecting front the
   * function talks to) exactly as one on `endpoint` is answered.
   */
  answer(request: IncomingMessage, response: ServerResponse): void;
  stop(): Promise<void>;
}

/** Where and how to run it. */
export interface LocalDynamoDbOptions {
  readonly host: string;
  readonly port: number;
  /** Folder for LevelDB files; in memory when undefined. */
  readonly persistDir: string | undefined;
  readonly tableName: string;
  /** The rooms table (head counts and history). */
  readonly roomsTableName: string;
  readonly region: string;
}

/**
 * Starts dynalite and makes sure the connections table (with its room index) and the rooms table
 * exist, keyed as contract.json says. dynalite has no UpdateTimeToLive, so the TTL attribute is stored but items never expire
 * locally; stale ids are still cleaned up by the handler on its next 410. dynalite has no
 * TransactWriteItems either: dynamodb-transactions.ts answers it.
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
  // dynalite has no transactions: they are answered in front of it, through a client of its own.
  const transactionClient = localDynamoDbClient(endpoint, options.region);
  answerTransactions(server, transactionClient);
  // Outermost, so that no web page reaches even the transactions.
  refuseBrowserRequests(server);
  const stop = async (): Promise<void> => {
    // Requests already inside dynalite (say, from a Lambda container just terminated) must end
    // before its store closes, or dynalite throws "Database is closed" out of a callback and takes
    // the process down. In-memory operations take a few milliseconds; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closeServer(server);
    transactionClient.destroy();
  };
  try {
    await createTables(endpoint, options);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    answer: (request, response) => {
      // Through the server's own listeners, so every guard in front of dynalite applies.
      server.emit('request', request, response);
    },
    stop,
  };
}

/**
 * dynalite answers every web page cross-origin (`Access-Control-Allow-Origin: *`), so any site the
 * developer visits could read and write the table. SDK clients never send `Origin`; browsers send
 * it on every cross-origin request and on every POST, which all DynamoDB calls are. So a request
 * with `Origin` is refused before dynalite sees it, CORS preflights included.
 */
function refuseBrowserRequests(server: Server): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.origin === undefined) {
      for (const handler of handlers) handler(request, response);
      return;
    }
    request.resume();
    const body = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
      message: 'The local DynamoDB does not answer web pages (the request had an Origin header)',
    });
    response.writeHead(403, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
}

/** The two tables as Terraform declares them (terraform/dynamodb.tf), keys from contract.json. */
async function createTables(endpoint: string, options: LocalDynamoDbOptions): Promise<void> {
  const client = localDynamoDbClient(endpoint, options.region);
  const { partitionKey, roomAttribute, roomIndex, ttlAttribute } = contract.table;
  const rooms = contract.roomsTable;
  try {
    await createIfMissing(
      client,
      new CreateTableCommand({
        TableName: options.tableName,
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: roomAttribute, AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: roomIndex,
            KeySchema: [
              { AttributeName: roomAttribute, KeyType: 'HASH' },
              { AttributeName: partitionKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [ttlAttribute] },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await createIfMissing(
      client,
      new CreateTableCommand({
        TableName: options.roomsTableName,
        AttributeDefinitions: [
          { AttributeName: rooms.partitionKey, AttributeType: 'S' },
          { AttributeName: rooms.sortKey, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: rooms.partitionKey, KeyType: 'HASH' },
          { AttributeName: rooms.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    client.destroy();
  }
}

async function createIfMissing(client: DynamoDBClient, command: CreateTableCommand): Promise<void> {
  try {
    await client.send(command);
  } catch (error) {
    // With --persist the tables survive restarts.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
