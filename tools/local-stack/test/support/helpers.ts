/**
 * Test helpers for the local stack: a WebSocket client that queues what it receives, an HTTP sink
 * where the recording fixture handler reports its events, and the real SDK clients pointed at a
 * running stack. stack-setup.ts starts and stops a stack with them around a test file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS, localDynamoDbClient } from '../../src/dynamodb.ts';
import type { LocalStack } from '../../src/stack.ts';

/** Fixture paths. */
export const FIXTURES = {
  recordingHandler: fileURLToPath(new URL('../fixtures/recording-handler.mjs', import.meta.url)),
  recordingAuthorizer: fileURLToPath(
    new URL('../fixtures/recording-authorizer.mjs', import.meta.url),
  ),
  plainHandler: fileURLToPath(new URL('../fixtures/plain-handler.mjs', import.meta.url)),
  brokenHandler: fileURLToPath(new URL('../fixtures/broken-handler.mjs', import.meta.url)),
  emfHandler: fileURLToPath(new URL('../fixtures/emf-handler.mjs', import.meta.url)),
  site: fileURLToPath(new URL('../fixtures/site', import.meta.url)),
} as const;

/** How a connection ended, as the client saw it. */
export interface CloseStatus {
  readonly code: number;
  readonly reason: string;
}

/** A connected `ws` client that keeps every text frame it receives. */
export class TestClient {
  readonly socket: WebSocket;
  readonly received: string[] = [];
  readonly closed: Promise<CloseStatus>;
  readonly #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.received.push(data.toString());
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  /** Opens a connection; rejects with the handshake's HTTP status when it is refused. */
  static connect(
    url: string,
    options: WebSocket.ClientOptions = {},
    protocols?: string[],
  ): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, options);
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Sends a JSON frame. */
  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  /** The n-th frame received (0-based), waiting for it if needed. */
  async frame(index: number): Promise<string> {
    while (this.received.length <= index) {
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`connection closed after ${this.received.length} frames`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.received[index] as string;
  }

  /** Closes and waits until the close handshake is done. */
  async close(code?: number, reason?: string): Promise<CloseStatus> {
    this.socket.close(code, reason);
    return this.closed;
  }
}

/** The server answered the upgrade request with an HTTP status instead of 101. */
export class HandshakeRefused extends Error {
  override readonly name = 'HandshakeRefused';
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}

/** What the recording fixture reports per invocation. */
export interface InvocationRecord {
  /** What the recording authorizer received. */
  readonly authorizer?: Record<string, unknown> & {
    readonly queryStringParameters?: Record<string, string>;
  };
  readonly event?: {
    readonly requestContext: Record<string, unknown> & { readonly connectionId: string };
    readonly [key: string]: unknown;
  };
  readonly context?: Record<string, unknown>;
  readonly env?: Record<string, string | undefined>;
  readonly [key: string]: unknown;
}

/** Collects the fixture's reports. */
export interface EventSink {
  readonly url: string;
  readonly records: InvocationRecord[];
  /** Resolves with the first record (present or future) matching `predicate`. */
  waitFor(predicate: (record: InvocationRecord) => boolean): Promise<InvocationRecord>;
  stop(): Promise<void>;
}

/** Starts an event sink on a free port. */
export async function startEventSink(): Promise<EventSink> {
  const records: InvocationRecord[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      records.push(JSON.parse(Buffer.concat(chunks).toString()) as InvocationRecord);
      response.end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    records,
    async waitFor(predicate) {
      for (;;) {
        const found = records.find(predicate);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The record of the event with `eventType` for `connectionId`. */
export function isEvent(
  eventType: string,
  connectionId?: string,
): (record: InvocationRecord) => boolean {
  return (record) =>
    record.event?.requestContext.eventType === eventType &&
    (connectionId === undefined || record.event.requestContext.connectionId === connectionId);
}

/** Resolves after `ms`; for letting a known, generous amount of time pass, never for asserting speed. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connects with `?tag=…` and finds the connection id in the fixture's CONNECT record. */
export async function connectTagged(
  websocketUrl: string,
  sink: EventSink,
  tag: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ client: TestClient; connectionId: string; connect: InvocationRecord }> {
  const client = await TestClient.connect(`${websocketUrl}?tag=${tag}`, options);
  const connect = await sink.waitFor(
    (record) =>
      isEvent('CONNECT')(record) &&
      (record.event?.queryStringParameters as Record<string, string> | undefined)?.tag === tag,
  );
  return { client, connectionId: connect.event?.requestContext.connectionId as string, connect };
}

/** Where a stack's SDK clients point. */
type StackEndpoints = Pick<LocalStack, 'managementEndpoint' | 'dynamoEndpoint' | 'region'>;

/**
 * The real `ApiGatewayManagementApiClient` for a running stack, as a handler would build it.
 * @param stack - the stack
 * @param endpoint - another form of the management endpoint (without the stage, with a slash...)
 * @param config - more client settings, e.g. `maxAttempts`
 * @returns the client; `destroy()` it when done
 */
export function managementClient(
  stack: StackEndpoints,
  endpoint: string = stack.managementEndpoint,
  config: Partial<ApiGatewayManagementApiClientConfig> = {},
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
    ...config,
  });
}

/**
 * The real `DynamoDBClient` for a running stack's table.
 * @param stack - the stack
 * @returns the client; `destroy()` it when done
 */
export function dynamoDbClient(stack: StackEndpoints): DynamoDBClient {
  return localDynamoDbClient(stack.dynamoEndpoint, stack.region);
}

/**
 * The connection ids stored for a room, read from the connections table's room index as the
 * backend reads them.
 * @param stack - the stack
 * @param room - the room, lower-case as stored
 * @returns the ids, in the index's order
 */
export async function roomMemberIds(
  stack: StackEndpoints & Pick<LocalStack, 'tableName'>,
  room: string,
): Promise<string[]> {
  const client = DynamoDBDocumentClient.from(dynamoDbClient(stack));
  try {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: stack.tableName,
        IndexName: contract.table.roomIndex,
        KeyConditionExpression: '#room = :room',
        ExpressionAttributeNames: { '#room': contract.table.roomAttribute },
        ExpressionAttributeValues: { ':room': room },
      }),
    );
    return Items.map((item) => String(item[contract.table.partitionKey]));
  } finally {
    client.destroy();
  }
}

/**
 * Moves the connections' `connectedAt` a minute back. A post to a connection answers 410 while
 * its `$connect` runs, so the function forgets a connection on a 410 only once it is older than
 * API Gateway's integration timeout; a test of the 410 clean-up uses connections that old.
 */
export async function backdateConnections(
  stack: StackEndpoints & Pick<LocalStack, 'tableName'>,
  connectionIds: readonly string[],
): Promise<void> {
  const client = DynamoDBDocumentClient.from(dynamoDbClient(stack));
  const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();
  try {
    for (const connectionId of connectionIds) {
      await client.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { [contract.table.partitionKey]: connectionId },
          UpdateExpression: 'SET connectedAt = :then',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#id': contract.table.partitionKey },
          ExpressionAttributeValues: { ':then': aMinuteAgo },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
