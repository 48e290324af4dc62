/**
 * `failDynamoDb`'s bookkeeping: the next calls of one operation fail, then it is spent.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbFaults } from '../../src/faults/dynamodb-faults.ts';

describe('DynamoDbFaults', () => {
  it('fails the next count calls of the operation, and no other operation', () => {
    // Prepare
    const faults = new DynamoDbFaults();
    const fault = faults.add({ operation: 'Query', count: 2 });
    // Act
    const calls = ['GetItem', 'Query', 'Query', 'Query'].map((operation) =>
      faults.fails(operation),
    );
    // Assess
    expect(calls).toEqual([false, true, true, false]);
    expect(fault.injected).toBe(2);
  });

  it('fails nothing after clear()', () => {
    const faults = new DynamoDbFaults();
    faults.add({ operation: 'UpdateItem', count: 5 });
    faults.clear();
    expect(faults.fails('UpdateItem')).toBe(false);
  });

  it.each([
    [
      { operation: 'Query', count: 0 },
      'failDynamoDb: count must be a positive whole number, got 0',
    ],
    [
      { operation: '', count: 1 },
      'failDynamoDb: operation must name a DynamoDB operation, e.g. Query',
    ],
  ])('refuses %j', (options, message) => {
    expect(() =>
      new DynamoDbFaults().add(options as { operation: 'Query'; count: number }),
    ).toThrow(new RangeError(message));
  });
});
