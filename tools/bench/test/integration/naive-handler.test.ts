/**
 * The naive handler on the real local stack: a fair baseline delivers every message to every
 * other client exactly once, and deletes the ids that answer 410 as the design it stands for does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS } from '../../../local-stack/src/dynamodb.ts';
import type { LocalStack } from '../../../local-stack/src/stack.ts';
import { startLocalStack } from '../../../local-stack/src/stack.ts';
import { FIXTURES } from '../../../local-stack/test/support/helpers.ts';
import { runLoad } from '../../src/load/generator.ts';
import { NAIVE_HANDLER } from '../../src/load/server.ts';
import { deliveredOnce, loadOptions } from '../support/load-helpers.ts';

const { partitionKey } = contract.table;
let stack: LocalStack;
let table: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startLocalStack({
    handlerPath: NAIVE_HANDLER,
    siteDir: FIXTURES.site,
    log: () => {},
  });
  table = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: stack.region,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
});

afterAll(async () => {
  table?.destroy();
  await stack?.stop();
});

describe('the naive handler on the local stack', () => {
  it('delivers every message to every other client exactly once', async () => {
    // Act
    const result = await runLoad(loadOptions(stack.websocketUrl));

    // Assess
    expect(result.connectFailures).toBe(0);
    expect(result.delivery).toEqual(deliveredOnce(5));
    expect(result.otherFrames).toBe(0);
  });

  it('deletes a stored id that answers 410 Gone', async () => {
    // Prepare: an id whose connection is long gone, as after a missed $disconnect
    const staleId = 'staleAAAAAAAAAA=';
    await table.send(
      new PutCommand({ TableName: stack.tableName, Item: { [partitionKey]: staleId } }),
    );

    // Act
    const result = await runLoad(loadOptions(stack.websocketUrl, { clients: 2, messages: 1 }));

    // Assess
    expect(result.delivery.messagesComplete).toBe(1);
    await vi.waitFor(
      async () => {
        const { Item } = await table.send(
          new GetCommand({ TableName: stack.tableName, Key: { [partitionKey]: staleId } }),
        );
        expect(Item).toBeUndefined();
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
