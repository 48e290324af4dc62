/**
 * The connection store and the real entry point against a real DynamoDB-compatible server.
 */
import { DeleteItemCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { RecipientPage } from '../../src/rooms/connection-store.ts';
import { createConnectionStore, expiresAtFor } from '../../src/rooms/connection-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { webSocketEvent } from '../support/events.ts';

const TABLE = 'connections';
const NOW = new Date('2026-11-27T06:00:00.000Z');
const TTL_MS = contract.limits.connectionTtlSeconds * 1000;

let dynamoDb: TestDynamoDb;

beforeAll(async () => {
  dynamoDb = await startTestDynamoDb(TABLE);
});

afterAll(async () => {
  await dynamoDb?.stop();
});

afterEach(async () => {
  // Each test starts from an empty table.
  const { Items = [] } = await dynamoDb.client.send(new ScanCommand({ TableName: TABLE }));
  for (const item of Items) {
    await dynamoDb.client.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key: { connectionId: item.connectionId ?? { S: '' } },
      }),
    );
  }
});

async function collect(pages: AsyncIterable<RecipientPage>): Promise<RecipientPage[]> {
  const collected: RecipientPage[] = [];
  for await (const page of pages) collected.push(page);
  return collected;
}

describe('connection store on dynalite', () => {
  it('stores an item under the contract key with its TTL in epoch seconds', async () => {
    // Prepare
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });

    // Act
    await store.add('conn-1', NOW, 'support');

    // Assess
    const { Item } = await dynamoDb.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { connectionId: { S: 'conn-1' } } }),
    );
    expect(Item).toEqual({
      connectionId: { S: 'conn-1' },
      room: { S: 'support' },
      connectedAt: { S: NOW.toISOString() },
      expiresAt: { N: String(expiresAtFor(NOW)) },
    });
  });

  it('deletes an item, and deleting a missing one is no error', async () => {
    // Prepare
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });
    await store.add('conn-1', NOW, 'support');

    // Act
    const room = await store.remove('conn-1');
    const none = await store.remove('never-existed');

    // Assess
    const { Item } = await dynamoDb.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { connectionId: { S: 'conn-1' } } }),
    );
    expect(Item).toBeUndefined();
    expect(room).toBe('support');
    expect(none).toBeUndefined();
  });

  it("lists only the room's members, through its index", async () => {
    // Prepare
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });
    await store.add('in-1', NOW, 'support');
    await store.add('other', NOW, 'lobby');
    await store.add('in-2', NOW, 'support');

    // Act
    const pages = await collect(store.recipientPages(NOW, { room: 'support', pageSize: 10 }));

    // Assess
    expect(pages.flatMap((page) => page.ids).toSorted()).toEqual(['in-1', 'in-2']);
  });

  it('lists live ids over many pages and skips items whose TTL has passed', async () => {
    // Prepare: 7 live connections, 5 whose TTL passed a second ago (DynamoDB deletes late)
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });
    const live = Array.from({ length: 7 }, (_, index) => `live-${index}`);
    const expired = Array.from({ length: 5 }, (_, index) => `expired-${index}`);
    for (const id of live) await store.add(id, new Date(NOW.getTime() - 60_000), 'lobby');
    for (const id of expired) await store.add(id, new Date(NOW.getTime() - TTL_MS - 1000), 'lobby');

    // Act
    const pages = await collect(store.recipientPages(NOW, { room: 'lobby', pageSize: 3 }));

    // Assess: 12 items at 3 per page is 4 pages (and maybe an empty last one); filtered pages
    // shrink or come back empty, and every page but the last says where to continue
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.flatMap((page) => page.ids).toSorted()).toEqual(live.toSorted());
    expect(pages.slice(0, -1).every((page) => page.next !== undefined)).toBe(true);
    expect(pages.at(-1)?.next).toBeUndefined();
  });

  it("continues after a page's key without reading the pages before it again", async () => {
    // Prepare
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });
    const ids = Array.from({ length: 6 }, (_, index) => `conn-${index}`);
    for (const id of ids) await store.add(id, NOW, 'lobby');
    const [first] = await collect(store.recipientPages(NOW, { room: 'lobby', pageSize: 2 }));

    // Act
    const rest = await collect(
      store.recipientPages(NOW, { room: 'lobby', pageSize: 2, after: first?.next }),
    );

    // Assess
    const seen = [...(first?.ids ?? []), ...rest.flatMap((page) => page.ids)];
    expect(seen.toSorted()).toEqual(ids.toSorted());
    expect(new Set(seen).size).toBe(ids.length);
  });

  it('yields nothing for an empty table', async () => {
    const store = createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });

    const pages = await collect(store.recipientPages(NOW, { room: 'lobby', pageSize: 10 }));
    expect(pages.flatMap((page) => page.ids)).toEqual([]);
    expect(pages.at(-1)?.next).toBeUndefined();
  });
});

describe('connection store on dynalite: small rooms and protocol versions', () => {
  const storeOf = () =>
    createConnectionStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: TABLE,
    });

  it('lists a room of up to max members whole, and says a larger one is large after one page', async () => {
    // Prepare: 3 in "small", 5 in "large"
    const store = storeOf();
    for (const id of ['s1', 's2', 's3']) await store.add(id, NOW, 'small');
    for (const id of ['l1', 'l2', 'l3', 'l4', 'l5']) await store.add(id, NOW, 'large');

    // Act
    const small = await store.listSmallRoom('small', NOW, 3);
    const large = await store.listSmallRoom('large', NOW, 3);

    // Assess
    expect(small?.toSorted()).toEqual(['s1', 's2', 's3']);
    expect(large).toBeUndefined();
  });

  it('stores the protocol version, and reads those of a few connections in one batch', async () => {
    // Prepare: a page of protocol 3 and an old client
    const store = storeOf();
    await store.add('new', NOW, 'lobby', 3);
    await store.add('old', NOW, 'lobby');

    // Act
    const versions = await store.protocolVersions(['new', 'old', 'gone']);

    // Assess: the old client and the missing item are left out
    expect([...versions]).toEqual([['new', 3]]);
  });
});

describe('the Lambda entry point on dynalite', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('reaches DynamoDB through the SDK-standard AWS_ENDPOINT_URL_DYNAMODB variable', async () => {
    // Prepare: the environment the local stack gives the handler, then a cold start
    vi.stubEnv(contract.environment.tableName, TABLE);
    vi.stubEnv(contract.environment.roomsTableName, dynamoDb.roomsTableName);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoDb.endpoint);
    vi.stubEnv('AWS_REGION', TEST_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const { handler } = await import('../../src/handler.ts');

    // Act
    const connected = await handler(webSocketEvent('$connect', { connectionId: 'entry-1' }));

    // Assess
    expect(connected).toEqual({ statusCode: 200 });
    const { Item } = await dynamoDb.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { connectionId: { S: 'entry-1' } } }),
    );
    expect(Item?.connectionId).toEqual({ S: 'entry-1' });
  });
});
