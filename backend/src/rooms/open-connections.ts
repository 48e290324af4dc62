/**
 * The chat's number of open connections, for the operator's `OpenConnections` metric: one item
 * in the rooms table (`#` cannot begin a room name), moved by the same exact events as a room's
 * head count: +1 when a connection's item is stored, -1 only by whoever's delete removed it, and
 * by the difference whenever a room's count is corrected from a listing. API Gateway publishes
 * no gauge of open connections, and summing every room's count would need a Scan.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };

const { partitionKey, sortKey } = contract.roomsTable;
/** The item's key: not a room, since room names start with a letter or digit. */
const KEY = { [partitionKey]: '#open-connections', [sortKey]: 0 };

/** Moves the count of open connections. */
export interface OpenConnections {
  /**
   * Adds `delta` (never below zero).
   * @param delta - +1 for a connection stored, -1 for one removed, or a room's correction
   * @returns the count afterwards
   */
  change(delta: number): Promise<number>;
}

/** Options of {@link createOpenConnections}. */
export interface OpenConnectionsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Builds the DynamoDB-backed count.
 * @param options - the document client and the rooms table
 * @returns the count
 */
export function createOpenConnections(options: OpenConnectionsOptions): OpenConnections {
  return {
    async change(delta) {
      const { Attributes } = await options.client.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: KEY,
          UpdateExpression: 'ADD #open :delta',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':delta': delta },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      // A drift below zero (a removal counted twice before a correction) reads as none open.
      const open = Attributes?.open;
      return typeof open === 'number' ? Math.max(0, open) : 0;
    },
  };
}
