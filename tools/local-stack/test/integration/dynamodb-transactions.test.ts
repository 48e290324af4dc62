/**
 * TransactWriteItems on the local DynamoDB, through the real SDK: all or nothing, DynamoDB's
 * cancellation reasons, twice the write units, and transactions that never interleave with
 * other writes.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, localDynamoDbClient, startLocalDynamoDb } from '../../src/dynamodb.ts';

const REGION = 'eu-west-1';
const ROOMS = 'rooms';
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb({
    host: '127.0.0.1',
    port: 0,
    persistDir: undefined,
    tableName: 'connections',
    roomsTableName: ROOMS,
    region: REGION,
  });
  client = localDynamoDbClient(dynamo.endpoint, REGION);
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

const key = (room: string, slot: number) => ({ room: { S: room }, slot: { N: String(slot) } });

async function read(room: string, slot: number): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: ROOMS, Key: key(room, slot), ConsistentRead: true }),
  );
  return Item;
}

/** A put of a new item and an update of an existing one whose `state` must be `claimed`. */
function commit(room: string, expectedState: string) {
  return new TransactWriteItemsCommand({
    ReturnConsumedCapacity: 'TOTAL',
    TransactItems: [
      { Put: { TableName: ROOMS, Item: { ...key(room, 1), text: { S: 'kept' } } } },
      {
        Update: {
          TableName: ROOMS,
          Key: key(room, 0),
          UpdateExpression: 'SET #state = :committed',
          ConditionExpression: '#state = :expected',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':committed': { S: 'committed' },
            ':expected': { S: expectedState },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ],
  });
}

describe('TransactWriteItems on the local DynamoDB', () => {
  it('makes every write when every condition holds, and charges twice the write units', async () => {
    // Prepare
    await client.send(
      new PutItemCommand({ TableName: ROOMS, Item: { ...key('ok', 0), state: { S: 'claimed' } } }),
    );

    // Act
    const result = await client.send(commit('ok', 'claimed'));

    // Assess
    expect(await read('ok', 1)).toMatchObject({ text: { S: 'kept' } });
    expect(await read('ok', 0)).toMatchObject({ state: { S: 'committed' } });
    expect(result.ConsumedCapacity).toEqual([
      { TableName: ROOMS, CapacityUnits: 4, WriteCapacityUnits: 4 },
    ]);
  });

  it('makes none when one condition fails, and says which, with the old item', async () => {
    // Prepare
    await client.send(
      new PutItemCommand({ TableName: ROOMS, Item: { ...key('no', 0), state: { S: 'taken' } } }),
    );

    // Act
    const error = await client.send(commit('no', 'claimed')).catch((caught: unknown) => caught);

    // Assess: the put that came first was undone
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { ...key('no', 0), state: { S: 'taken' } },
      },
    ]);
    expect(await read('no', 1)).toBeUndefined();
    expect(await read('no', 0)).toMatchObject({ state: { S: 'taken' } });
  });

  it('refuses two writes of one item', async () => {
    const twice = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: ROOMS, Item: key('twice', 0) } },
        { Put: { TableName: ROOMS, Item: key('twice', 0) } },
      ],
    });

    await expect(client.send(twice)).rejects.toMatchObject({ name: 'ValidationException' });
    expect(await read('twice', 0)).toBeUndefined();
  });

  it('never interleaves with other writes: no update is lost to an undo', async () => {
    // Prepare: a counter that plain updates raise while transactions on it keep failing; an
    // undo that restored an image read before a concurrent update would lose that update
    await client.send(
      new PutItemCommand({
        TableName: ROOMS,
        Item: { ...key('busy', 0), state: { S: 'other' }, n: { N: '0' } },
      }),
    );
    const raise = () =>
      client.send(
        new UpdateItemCommand({
          TableName: ROOMS,
          Key: key('busy', 0),
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    const failing = new TransactWriteItemsCommand({
      TransactItems: [
        {
          Update: {
            TableName: ROOMS,
            Key: key('busy', 0),
            UpdateExpression: 'ADD n :thousand',
            ExpressionAttributeValues: { ':thousand': { N: '1000' } },
          },
        },
        {
          Put: {
            TableName: ROOMS,
            Item: key('busy', 1),
            ConditionExpression: 'attribute_exists(#room)',
            ExpressionAttributeNames: { '#room': 'room' },
          },
        },
      ],
    });

    // Act
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        index % 4 === 0 ? client.send(failing).catch(() => undefined) : raise(),
      ),
    );

    // Assess: 30 raises, and nothing of the 10 cancelled transactions
    expect(await read('busy', 0)).toMatchObject({ n: { N: '30' } });
  });
});
