/**
 * The per-connection token bucket against a real DynamoDB-compatible server, whose conditional
 * writes are what keep two containers from spending the same token.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimit } from '../../src/access/rate-limiter.ts';
import { bucketBounds, createRateLimiter, retryAfterMs } from '../../src/access/rate-limiter.ts';
import { createConnectionStore } from '../../src/rooms/connection-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

const TABLE = 'connections';
const LIMIT: RateLimit = { burst: 10, perSecond: 2 };
const T0 = new Date('2026-11-27T06:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

let dynamoDb: TestDynamoDb;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb(TABLE);
});
afterAll(async () => {
  await dynamoDb?.stop();
});

function setUp(connectionId: string) {
  const client = DynamoDBDocumentClient.from(dynamoDb.client);
  const store = createConnectionStore({ client, tableName: TABLE });
  const limiter = createRateLimiter({ client, tableName: TABLE, limit: LIMIT });
  return { store, limiter, add: () => store.add(connectionId, T0, 'support') };
}

describe('bucketBounds and retryAfterMs (pure)', () => {
  it('lets a bucket run burst - 1 intervals ahead of the clock, and overdraw by one more burst', () => {
    const bounds = bucketBounds(LIMIT, T0);

    expect(bounds).toEqual({
      intervalMs: 500,
      nowMs: T0.getTime(),
      latestTatMs: T0.getTime() + 4500,
      overdraftTatMs: T0.getTime() + 9500,
    });
    expect(retryAfterMs(T0.getTime() + 5000, bounds)).toBe(500);
    expect(retryAfterMs(bounds.latestTatMs, bounds)).toBe(1);
  });
});

describe('the rate limiter on dynalite', () => {
  it('accepts a burst of 10 at once, refuses the 11th, and accepts again at the sustained rate', async () => {
    // Prepare
    const { limiter, add } = setUp('burst=');
    await add();

    // Act: every refused frame spends an interval too, so the next allowed one comes later
    const burst = [];
    for (let index = 0; index < 11; index++) burst.push(await limiter.take('burst=', T0));
    const tooSoon = await limiter.take('burst=', at(100));
    const afterItsWait = await limiter.take('burst=', at(1500));
    const againTooSoon = await limiter.take('burst=', at(1600));

    // Assess: an accepted message learns its sender's room from the same write
    expect(burst.slice(0, 10).every((decision) => decision.allowed)).toBe(true);
    expect(burst[0]).toEqual({ allowed: true, room: 'support' });
    expect(afterItsWait).toEqual({ allowed: true, room: 'support' });
    expect(burst[10]).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(tooSoon).toEqual({ allowed: false, retryAfterMs: 1400 });
    expect(afterItsWait.allowed).toBe(true);
    expect(againTooSoon.allowed).toBe(false);
  });

  it('closes on a sender one whole burst over its budget, and its lockout stays bounded', async () => {
    // Prepare
    const { limiter, add } = setUp('flood=');
    await add();

    // Act: 10 accepted, 10 refused (each spent), then two more at the same instant
    const decisions = [];
    for (let index = 0; index < 22; index++) decisions.push(await limiter.take('flood=', T0));
    const afterTheOverdraft = await limiter.take('flood=', at(5500));

    // Assess: the frames beyond the overdraft are not spent, so the wait does not grow
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    expect(decisions.slice(10, 20).map((decision) => 'overdrawn' in decision)).toEqual(
      Array(10).fill(false),
    );
    expect(decisions.slice(20)).toEqual([
      { allowed: false, retryAfterMs: 5500, overdrawn: true },
      { allowed: false, retryAfterMs: 5500, overdrawn: true },
    ]);
    expect(afterTheOverdraft.allowed).toBe(true);
  });

  it('refills completely after an idle spell', async () => {
    const { limiter, add } = setUp('idle=');
    await add();
    for (let index = 0; index < 10; index++) await limiter.take('idle=', T0);

    const later = [];
    for (let index = 0; index < 10; index++) later.push(await limiter.take('idle=', at(60_000)));

    expect(later.every((decision) => decision.allowed)).toBe(true);
  });

  it('never lets concurrent senders spend more than the burst', async () => {
    // Prepare: 30 messages of one connection decided at the same instant, as by many containers
    const { limiter, add } = setUp('race=');
    await add();

    // Act
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => limiter.take('race=', T0)),
    );

    // Assess
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  it('refuses a connection that has no item (it is not, or no longer, connected)', async () => {
    const { limiter } = setUp('nobody=');

    expect((await limiter.take('nobody=', T0)).allowed).toBe(false);
  });
});
