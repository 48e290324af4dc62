/**
 * `killNextInvocation`'s choice of invocation and timing, with a fake running invocation.
 */
import { describe, expect, it } from 'vitest';
import { InvocationKills, routeOfEvent } from '../../src/faults/invocation-kills.ts';

/** A running invocation that records whether it was killed; `alive` false: it already ended. */
function running(alive = true): { kill: () => boolean; killed: () => boolean } {
  let killed = false;
  return {
    kill: () => {
      killed = alive;
      return alive;
    },
    killed: () => killed,
  };
}

const message = { requestContext: { routeKey: '$default' } };
const connect = { requestContext: { routeKey: '$connect' } };
const shards = { Records: [{ eventSource: 'aws:sqs', body: '{}' }] };

describe('routeOfEvent', () => {
  it('reads the route key of a gateway event, sqs for a batch of queue records', () => {
    expect(routeOfEvent(message)).toBe('$default');
    expect(routeOfEvent(shards)).toBe('sqs');
    expect(routeOfEvent({ Records: [{ eventSource: 'aws:kinesis' }] })).toBeUndefined();
    expect(routeOfEvent('text')).toBeUndefined();
  });
});

describe('InvocationKills', () => {
  it('kills the next invocation of its route after the delay, and only that one', async () => {
    // Prepare
    const kills = new InvocationKills();
    const kill = kills.add({ route: '$default', afterMs: 0 });
    const other = running();
    const target = running();
    const later = running();
    // Act
    kills.onInvocationStart(connect, other);
    kills.onInvocationStart(message, target);
    kills.onInvocationStart(message, later);
    // Assess
    expect(await kill.killed).toBe(true);
    expect(kill.injected).toBe(1);
    expect([other.killed(), target.killed(), later.killed()]).toEqual([false, true, false]);
  });

  it('reports false when the invocation ended before the delay', async () => {
    const kills = new InvocationKills();
    const kill = kills.add({ route: 'sqs', afterMs: 1 });
    kills.onInvocationStart(shards, running(false));
    expect(await kill.killed).toBe(false);
    expect(kill.injected).toBe(0);
  });

  it('disarms kills on clear(), those scheduled included', async () => {
    // Prepare
    const kills = new InvocationKills();
    const waiting = kills.add({ route: '$connect', afterMs: 0 });
    const scheduled = kills.add({ route: '$default', afterMs: 60_000 });
    const target = running();
    kills.onInvocationStart(message, target);
    // Act
    kills.clear();
    kills.onInvocationStart(connect, running());
    // Assess
    expect(await waiting.killed).toBe(false);
    expect(await scheduled.killed).toBe(false);
    expect(target.killed()).toBe(false);
  });

  it.each([
    [
      { route: '', afterMs: 0 },
      'killNextInvocation: route must be a route key, e.g. $default, or sqs',
    ],
    [
      { route: '$default', afterMs: -5 },
      'killNextInvocation: afterMs must be a positive number, got -5',
    ],
  ])('refuses %j', (options, text) => {
    expect(() => new InvocationKills().add(options)).toThrow(new RangeError(text));
  });
});
