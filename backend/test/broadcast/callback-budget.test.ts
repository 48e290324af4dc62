/**
 * The callback budget's requests, with a mocked DynamoDB client: which conditional write it
 * makes, and what it reads from DynamoDB's answer to a failed condition.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BUDGET_ROOM, createCallbackBudget } from '../../src/broadcast/callback-budget.ts';

const T0 = Date.parse('2026-11-27T06:00:00.000Z');
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  }),
);
const dynamoDb = mockClient(client);
afterEach(() => dynamoDb.reset());

const conditionFailed = (tat: number): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: { room: { S: BUDGET_ROOM }, slot: { N: '0' }, tat: { N: String(tat) } },
  });

const budget = () => createCallbackBudget({ client, tableName: 'rooms', postsPerSecond: 5000 });

describe('the callback budget', () => {
  it('restarts an idle timeline from now with one conditional write on its own item', async () => {
    // Prepare
    dynamoDb.on(UpdateCommand).resolves({});

    // Act
    const outcome = await budget().lease(500, T0, T0 + 1000);

    // Assess: 500 posts at 5,000 a second are 100 ms of the timeline
    expect(outcome).toEqual({ lease: { count: 500, startsAt: T0, endsAt: T0 + 100 } });
    const [call] = dynamoDb.commandCalls(UpdateCommand);
    expect(call?.args[0].input).toMatchObject({
      TableName: 'rooms',
      Key: { room: '#callback-budget', slot: 0 },
      UpdateExpression: 'SET tat = :end',
      ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
      ExpressionAttributeValues: { ':end': T0 + 100, ':now': T0 },
    });
  });

  it('extends a timeline that runs ahead, from where another invocation left it', async () => {
    // Prepare: the restart finds the timeline promised to T0 + 300 ms
    dynamoDb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed(T0 + 300))
      .resolvesOnce({ Attributes: { tat: T0 + 400 } });

    // Act
    const outcome = await budget().lease(500, T0, T0 + 1000);

    // Assess
    expect(outcome).toEqual({ lease: { count: 500, startsAt: T0 + 300, endsAt: T0 + 400 } });
    expect(dynamoDb.commandCalls(UpdateCommand)[1]?.args[0].input).toMatchObject({
      UpdateExpression: 'SET tat = tat + :span',
      ConditionExpression: 'tat BETWEEN :now AND :latestStart',
      ExpressionAttributeValues: { ':span': 100, ':now': T0, ':latestStart': T0 + 900 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('says when to ask again when the timeline is booked beyond what the caller would wait', async () => {
    // Prepare: promised to T0 + 950 ms; a lease of 100 ms must end by T0 + 1 s
    dynamoDb.on(UpdateCommand).rejects(conditionFailed(T0 + 950));

    // Act
    const outcome = await budget().lease(500, T0, T0 + 1000);

    // Assess
    expect(outcome).toEqual({ retryAt: T0 + 50 });
  });

  it('lets an unreachable table be seen, so the caller paces on its own', async () => {
    dynamoDb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(budget().lease(10, T0, T0 + 1000)).rejects.toThrow('Provisioned');
  });
});
