/**
 * The shared callback budget against a real DynamoDB-compatible server: its conditional writes
 * are what keep leases of several invocations from ever overlapping.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/broadcast/callback-budget.ts';
import { createCallbackBudget } from '../../src/broadcast/callback-budget.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

const T0 = Date.parse('2026-11-27T06:00:00.000Z');
let dynamoDb: TestDynamoDb;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
});
afterAll(async () => {
  await dynamoDb?.stop();
});

const budgetOf = (postsPerSecond: number) =>
  createCallbackBudget({
    client: DynamoDBDocumentClient.from(dynamoDb.client),
    tableName: dynamoDb.roomsTableName,
    postsPerSecond,
  });

describe('the callback budget', () => {
  it('gives concurrent invocations stretches of time that never overlap, at the budget rate', async () => {
    // Prepare: three invocations (their own budget objects), 1,000 posts a second
    const invocations = [budgetOf(1000), budgetOf(1000), budgetOf(1000)];

    // Act: each leases 100 posts (0.1 s) three times, all at once, willing to wait 1 s
    const leases = await Promise.all(
      invocations.flatMap((budget) => [0, 1, 2].map(() => budget.lease(100, T0, T0 + 1000))),
    );

    // Assess: nine stretches of 100 ms each, end to end from T0, none shared
    const granted = leases
      .map((outcome) => ('lease' in outcome ? outcome.lease : undefined))
      .filter((lease): lease is Lease => lease !== undefined)
      .toSorted((a, b) => a.startsAt - b.startsAt);
    expect(granted).toHaveLength(9);
    granted.forEach((lease, index) => {
      expect(lease.count).toBe(100);
      expect(lease.startsAt).toBeCloseTo(T0 + index * 100, 6);
      expect(lease.endsAt).toBeCloseTo(T0 + (index + 1) * 100, 6);
    });
  });

  it('says when to ask again once the timeline is booked further ahead than the caller would wait', async () => {
    // Prepare: the timeline is booked to T0 + 900 ms by the test above
    const budget = budgetOf(1000);

    // Act: 200 posts, to end by T0 + 1 s: they would end at T0 + 1.1 s
    const outcome = await budget.lease(200, T0, T0 + 1000);

    // Assess: at T0 + 100 ms it would fit; dynalite returns no item with a failed condition, so
    // the budget cannot know and waits one lease's time (DynamoDB's answer: unit test)
    expect(outcome).toEqual({ retryAt: expect.any(Number) });
    const { retryAt } = outcome as { retryAt: number };
    expect(retryAt).toBeGreaterThanOrEqual(T0 + 100);
    expect(retryAt).toBeLessThanOrEqual(T0 + 200);
  });

  it('starts afresh from now once the timeline lies in the past', async () => {
    // Prepare
    const budget = budgetOf(1000);
    const later = T0 + 60_000;

    // Act
    const outcome = await budget.lease(50, later, later + 1000);

    // Assess
    expect(outcome).toEqual({ lease: { count: 50, startsAt: later, endsAt: later + 50 } });
  });
});
