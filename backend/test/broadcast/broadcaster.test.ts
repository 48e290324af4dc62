/**
 * broadcastToConnections with a pacer, on fake timers: a throttled post waits and goes again
 * (not an attempt), one recipient's full buffer is told apart from the account's throttle, and
 * every recipient ends somewhere: delivered, gone, handed back to retry, rejected or unsent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BroadcastResult } from '../../src/broadcast/broadcaster.ts';
import { broadcastToConnections } from '../../src/broadcast/broadcaster.ts';
import type { Pacer } from '../../src/broadcast/pacer.ts';
import { createPacer, systemClock } from '../../src/broadcast/pacer.ts';
import { PostToConnectionError } from '../../src/errors.ts';

const T0 = Date.parse('2026-11-27T06:00:00.000Z');
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => `c${i}=`);
const throttle = (): PostToConnectionError =>
  new PostToConnectionError('LimitExceededException', 429);

const pacer = (): Pacer =>
  createPacer({
    budget: undefined,
    postsPerSecond: 1000,
    clock: systemClock,
    timeToStopMs: () => 10_000,
  });

async function broadcast(
  recipients: readonly string[],
  post: (connectionId: string) => Promise<void>,
  withPacer: Pacer | undefined,
): Promise<BroadcastResult> {
  const running = broadcastToConnections(recipients, '{"type":"message"}', {
    post,
    concurrency: 5,
    pacer: withPacer,
    sleep: systemClock.sleep,
  });
  await vi.runAllTimersAsync();
  return running;
}

/** Every recipient is accounted for exactly once. */
function expectNoneDropped(result: BroadcastResult, recipients: readonly string[]): void {
  const ended =
    result.delivered +
    result.gone +
    result.retry.length +
    result.rejected.length +
    result.unsent.length;
  expect(ended).toBe(recipients.length);
}

describe('a paced broadcast', () => {
  it('waits out the account throttle and delivers to everyone, with no retry and a slower pace', async () => {
    // Prepare: the first 30 posts are throttled, whoever they are for
    const recipients = ids(20);
    let posts = 0;
    const delivered: string[] = [];
    const post = async (connectionId: string) => {
      if (++posts <= 30) throw throttle();
      delivered.push(connectionId);
    };
    const paced = pacer();

    // Act
    const result = await broadcast(recipients, post, paced);

    // Assess
    expect(delivered.toSorted()).toEqual(recipients.toSorted());
    expect(result).toMatchObject({ delivered: 20, throttled: 30, retry: [], bufferFull: 0 });
    expect(paced.stats.slowdowns).toBeGreaterThan(0);
    expectNoneDropped(result, recipients);
  });

  it('hands one recipient with a full buffer back for a later retry, without slowing the rest', async () => {
    // Prepare
    const recipients = ids(10);
    const post = async (connectionId: string) => {
      if (connectionId === 'c3=') throw throttle();
    };
    const paced = pacer();

    // Act
    const result = await broadcast(recipients, post, paced);

    // Assess: three throttles of c3 while the others succeed
    expect(result).toMatchObject({ delivered: 9, throttled: 3, retry: ['c3='], bufferFull: 1 });
    expect(paced.stats.slowdowns).toBe(0);
    expectNoneDropped(result, recipients);
  });

  it('without a pacer hands a throttled recipient back at once, as before', async () => {
    const recipients = ids(3);
    const post = async (connectionId: string) => {
      if (connectionId === 'c1=') throw throttle();
    };

    const result = await broadcast(recipients, post, undefined);

    expect(result).toMatchObject({ delivered: 2, throttled: 0, retry: ['c1='] });
    expectNoneDropped(result, recipients);
  });

  it('hands back recipients refused for good, by id, and what the deadline left unsent', async () => {
    // Prepare: 413 for c0; the deadline comes after the first post starts
    const recipients = ids(4);
    let stop = false;
    const post = async (connectionId: string) => {
      stop = true;
      if (connectionId === 'c0=') throw new PostToConnectionError('PayloadTooLargeException', 413);
    };
    const running = broadcastToConnections(recipients, 'x', {
      post,
      concurrency: 1,
      shouldStop: () => stop,
      pacer: pacer(),
      sleep: systemClock.sleep,
    });
    await vi.runAllTimersAsync();

    // Act
    const result = await running;

    // Assess
    expect(result).toMatchObject({ failed: 1, rejected: ['c0='], unsent: ['c1=', 'c2=', 'c3='] });
    expectNoneDropped(result, recipients);
  });
});
