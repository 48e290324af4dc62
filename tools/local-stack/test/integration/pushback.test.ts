/**
 * Issue 18's fault paths, end to end: the real bundle on the local stack, a room of a few hundred
 * real `ws` clients split into shards (SHARD_SIZE lowered through the stack's env), AWS pushing
 * back through the stack's callback budget and its fault injection, and the queues read with the
 * real SQS client. Each test fails if its path drops a recipient or delivers one twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { LocalStack, LocalStackOptions } from '../../src/stack.ts';
import {
  chatOf,
  closeAll,
  copiesOf,
  framesOf,
  joinCrowd,
  joinWithConnectionId,
  receiptFor,
  type ServerFrame,
  sendAndWaitForAck,
  sendWithClientId,
  settled,
  waitUntil,
} from '../support/chat-clients.ts';
import {
  broadcastsOver,
  type DeadLetterRecord,
  recipientsOf,
  redrive,
  StackOutput,
  takeDeadLetters,
} from '../support/delivery-queues.ts';
import { roomMemberIds, type TestClient } from '../support/helpers.ts';
import { useLocalStack } from '../support/stack-setup.ts';

const names = contract.environment;
const metric = contract.metrics.names;
/** Members of each room: enough for six invocations at SHARD_SIZE below. */
const MEMBERS = 240;
const SHARD_SIZE = '40';

/** A stack for one describe block, with its rooms split into shards, and its output collected. */
function shardedStack(options: LocalStackOptions): {
  readonly stack: LocalStack;
  readonly output: StackOutput;
} {
  const output = new StackOutput();
  const started = useLocalStack({
    ...options,
    log: output.log,
    env: { [names.shardSize]: SHARD_SIZE, ...options.env },
  });
  beforeEach(({ onTestFailed }) => {
    output.printTailIfTheTestFails(onTestFailed);
  });
  afterEach(() => {
    started.stack.faults.clear();
  });
  return {
    get stack(): LocalStack {
      return started.stack;
    },
    output,
  };
}

/** A room of MEMBERS clients: the first one speaks, the others listen. */
interface FilledRoom {
  readonly sender: TestClient;
  readonly listeners: TestClient[];
  /** The listeners' connection ids, as the function stored them. */
  readonly listenerIds: string[];
  readonly everyone: TestClient[];
}

/**
 * Fills a room and starts the stack's metrics and dead-letter queue from nothing.
 * @param stack - the stack
 * @param room - a room of this test's own
 */
async function fillRoom(stack: LocalStack, room: string): Promise<FilledRoom> {
  const { client: sender, connectionId: senderId } = await joinWithConnectionId(stack, room);
  const listeners = await joinCrowd(stack, room, MEMBERS - 1);
  const listenerIds = (await roomMemberIds(stack, room)).filter((id) => id !== senderId);
  expect(listenerIds).toHaveLength(listeners.length);
  await takeDeadLetters(stack);
  stack.resetMetrics();
  return { sender, listeners, listenerIds, everyone: [sender, ...listeners] };
}

/** How many listeners got the message how many times: `{ 1: 239 }` when each got it once. */
function copiesHistogram(listeners: readonly TestClient[], id: string): Record<number, number> {
  const histogram: Record<number, number> = {};
  for (const listener of listeners) {
    const copies = copiesOf(listener, id);
    histogram[copies] = (histogram[copies] ?? 0) + 1;
  }
  return histogram;
}

/** Waits until every listener has the message, then until its broadcast is over. */
async function everyoneReached(
  stack: LocalStack,
  listeners: readonly TestClient[],
  id: string,
): Promise<void> {
  await waitUntil(
    () => listeners.every((listener) => copiesOf(listener, id) > 0),
    'every listener to get the message',
    120_000,
  );
  await broadcastsOver(stack, 1);
}

/** The listeners that have not got the message (yet). */
const unreachedBy = (listeners: readonly TestClient[], id: string): TestClient[] =>
  listeners.filter((listener) => copiesOf(listener, id) === 0);

/** The function's `error` log lines since `from` that name dead-lettered or lost recipients. */
function errorLinesAbout(
  output: StackOutput,
  field: 'deadLettered' | 'lost',
  from: number,
): unknown[] {
  return output
    .functionLog(from)
    .filter((line) => line.level === 'error' && typeof line[field] === 'number' && line[field] > 0);
}

/** The records name this message, by its id and serial, with this reason. */
function expectRecordsOf(
  records: readonly DeadLetterRecord[],
  ack: ServerFrame,
  reason: string,
): void {
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    expect(record.message).toMatchObject({ id: ack.id, seq: ack.seq });
    expect(record.deadLetter).toEqual({ reason });
  }
}

describe('pacing to the callback budget', () => {
  const budget = 200;

  describe('when the function budget is the account throttle', () => {
    const target = shardedStack({
      callbackRate: budget,
      env: { [names.callbackRateLimit]: String(budget) },
    });

    it('delivers to every member exactly once, and the throttle refuses few or none', {
      timeout: 300_000,
    }, async () => {
      // Prepare
      const { stack } = target;
      const { sender, listeners, everyone } = await fillRoom(stack, 'paced');

      // Act
      const ack = await sendAndWaitForAck(sender, 'paced to the budget', 'paced-1');
      await everyoneReached(stack, listeners, ack.id as string);

      // Assess
      expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
      const { sums, callbackThrottled } = stack.metrics();
      expect(sums[metric.delivered]).toBe(listeners.length);
      expect(sums[metric.deadLettered] ?? 0).toBe(0);
      expect(callbackThrottled).toBeLessThanOrEqual(listeners.length / 20);
      await closeAll(everyone);
    });
  });

  describe('when the function budget is twice the account throttle', () => {
    const target = shardedStack({
      callbackRate: budget,
      env: { [names.callbackRateLimit]: String(2 * budget) },
    });

    it('slows down on 429s and posts every throttled post again: everyone gets it exactly once', {
      timeout: 300_000,
    }, async () => {
      // Prepare
      const { stack } = target;
      const { sender, listeners, everyone } = await fillRoom(stack, 'overbooked');

      // Act
      const ack = await sendAndWaitForAck(sender, 'past the throttle', 'overbooked-1');
      await everyoneReached(stack, listeners, ack.id as string);

      // Assess: the throttle did refuse posts, and each refused one went again
      expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
      const { sums, callbackThrottled } = stack.metrics();
      expect(callbackThrottled).toBeGreaterThan(0);
      expect(sums[metric.throttled]).toBeGreaterThan(0);
      expect(sums[metric.delivered]).toBe(listeners.length);
      expect(sums[metric.deadLettered] ?? 0).toBe(0);
      expect(await takeDeadLetters(stack)).toEqual([]);
      await closeAll(everyone);
    });
  });
});

describe('outages of @connections and SQS inside the delivery window', () => {
  // A killed shard worker's record comes back after 3 s instead of a minute.
  const target = shardedStack({ shardVisibilityTimeoutSeconds: 3 });

  it('reaches everyone after a 6 s outage of @connections (500) during the broadcast', {
    timeout: 300_000,
  }, async () => {
    // Prepare: the outage hits every post to the room (the sender's ack still goes through)
    const { stack } = target;
    const { sender, listeners, listenerIds, everyone } = await fillRoom(stack, 'outage');
    const outage = stack.faults.failPosts({
      status: 500,
      forMs: 6_000,
      connectionIds: listenerIds,
    });

    // Act
    const ack = await sendAndWaitForAck(sender, 'after the outage', 'outage-1');
    await everyoneReached(stack, listeners, ack.id as string);

    // Assess: the posts failed, were retried through the queue, and none was given up
    expect(outage.injected).toBeGreaterThanOrEqual(listeners.length);
    expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
    const { sums } = stack.metrics();
    expect(sums[metric.retried]).toBeGreaterThanOrEqual(listeners.length);
    expect(sums[metric.delivered]).toBe(listeners.length);
    expect(sums[metric.deadLettered] ?? 0).toBe(0);
    expect(await takeDeadLetters(stack)).toEqual([]);
    await closeAll(everyone);
  });

  it('reaches everyone when SQS refuses the first two attempts of every shard', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const { stack } = target;
    const { sender, listeners, everyone } = await fillRoom(stack, 'refused-twice');
    const refusals = stack.faults.failShardSends({ firstAttempts: 2 });

    // Act
    const ack = await sendAndWaitForAck(sender, 'handed off at last', 'refused-twice-1');
    await everyoneReached(stack, listeners, ack.id as string);

    // Assess: five shards, each refused twice
    expect(refusals.injected).toBeGreaterThanOrEqual(10);
    expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
    expect(stack.metrics().sums[metric.deadLettered] ?? 0).toBe(0);
    expect(framesOf(sender).filter((frame) => frame.type === 'delivery_incomplete')).toEqual([]);
    await closeAll(everyone);
  });

  it('reaches everyone once by serial when a shard worker is killed: SQS delivers its shard again', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const { stack } = target;
    const { sender, listeners, everyone } = await fillRoom(stack, 'killed-shard');
    const kill = stack.faults.killNextInvocation({ route: 'sqs', afterMs: 20 });

    // Act
    const ack = await sendAndWaitForAck(sender, 'despite a dead worker', 'killed-shard-1');
    await everyoneReached(stack, listeners, ack.id as string);

    // Assess: a member may have its shard's message twice (at least once), but every copy is
    // the same message, so the page shows it once
    expect(await settled(kill.killed, 'the kill of a shard worker')).toBe(true);
    for (const listener of listeners) {
      expect(new Set(chatOf(listener).map((copy) => `${copy.seq}/${copy.id}`))).toEqual(
        new Set([`${ack.seq}/${ack.id}`]),
      );
    }
    expect(stack.metrics().sums[metric.deadLettered] ?? 0).toBe(0);
    await closeAll(everyone);
  });
});

describe('an outage longer than the delivery window', () => {
  const windowSeconds = 4;
  const target = shardedStack({ env: { [names.deliveryWindowSeconds]: String(windowSeconds) } });

  it('dead-letters every member it could not reach, with the message, counts and logs them, and a redrive delivers them', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const { stack, output } = target;
    const { sender, listeners, listenerIds, everyone } = await fillRoom(stack, 'long-outage');
    const logFrom = output.lines.length;
    stack.faults.failPosts({ status: 500, connectionIds: listenerIds });

    // Act: the window ends while @connections still fails
    const ack = await sendAndWaitForAck(sender, 'kept for later', 'long-outage-1');
    await waitUntil(
      () => stack.metrics().sums[metric.deadLettered] === listeners.length,
      'every listener to be dead-lettered',
      120_000,
    );
    await broadcastsOver(stack, 1);
    const records = await takeDeadLetters(stack);

    // Assess: nobody got it; each is in the dead-letter queue once, under the message's id and
    // serial; counted and logged at error
    expect(unreachedBy(listeners, ack.id as string)).toHaveLength(listeners.length);
    expectRecordsOf(records, ack, 'window_ended');
    expect(recipientsOf(records).toSorted()).toEqual(listenerIds.toSorted());
    expect(errorLinesAbout(output, 'deadLettered', logFrom).length).toBeGreaterThan(0);

    // Act again: the outage is over; the operator redrives the dead-letter queue
    stack.faults.clear();
    await redrive(stack, records);
    await everyoneReached(stack, listeners, ack.id as string);

    // Assess: everyone has it once
    expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
    expect(await takeDeadLetters(stack)).toEqual([]);
    await closeAll(everyone);
  });
});

describe('SQS refusing every hand-off', () => {
  // A short function timeout and a slow budget: the accepting invocation cannot post the whole
  // room itself before its deadline.
  const target = shardedStack({
    functionTimeoutMs: 5_000,
    env: { [names.callbackRateLimit]: '40' },
  });

  it('tells the sender how many it did not reach, and keeps exactly those in the dead-letter queue for a redrive', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const { stack, output } = target;
    const { sender, listeners, everyone } = await fillRoom(stack, 'queue-down');
    const logFrom = output.lines.length;
    stack.faults.failShardSends({ all: true });

    // Act
    sendWithClientId(sender, 'partly delivered', 'queue-down-1');
    const ack = await receiptFor(sender, 'ack', 'queue-down-1');
    const incomplete = await receiptFor(sender, 'delivery_incomplete', 'queue-down-1');
    await broadcastsOver(stack, 1);
    const records = await takeDeadLetters(stack);

    // Assess: the sender was told (never "try again"), the count is the members not reached,
    // and they are what the dead-letter queue keeps
    const unreached = unreachedBy(listeners, ack.id as string);
    expect(unreached.length).toBeGreaterThan(0);
    expect(incomplete).toMatchObject({ id: ack.id, seq: ack.seq, unreached: unreached.length });
    expect(framesOf(sender).filter((frame) => frame.type === 'error')).toEqual([]);
    expect(stack.metrics().sums[metric.deadLettered]).toBe(unreached.length);
    expectRecordsOf(records, ack, 'handoff_failed');
    expect(errorLinesAbout(output, 'deadLettered', logFrom).length).toBeGreaterThan(0);

    // Act again: SQS is back; the operator redrives the dead-letter queue
    stack.faults.clear();
    await redrive(stack, records);
    await everyoneReached(stack, listeners, ack.id as string);

    // Assess: the ones reached before have it once, and so have the rest now
    expect(copiesHistogram(listeners, ack.id as string)).toEqual({ 1: listeners.length });
    await closeAll(everyone);
  });

  it('counts and logs the members it could not reach when the dead-letter queue refuses them too', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const { stack, output } = target;
    const { sender, listeners, everyone } = await fillRoom(stack, 'both-down');
    const logFrom = output.lines.length;
    stack.faults.failShardSends({ all: true });
    const deadLetterRefusals = stack.faults.failShardSends({ all: true, queue: 'deadLetter' });

    // Act
    sendWithClientId(sender, 'nowhere to keep it', 'both-down-1');
    const ack = await receiptFor(sender, 'ack', 'both-down-1');
    const incomplete = await receiptFor(sender, 'delivery_incomplete', 'both-down-1');
    await broadcastsOver(stack, 1);

    // Assess
    const unreached = unreachedBy(listeners, ack.id as string);
    expect(unreached.length).toBeGreaterThan(0);
    expect(deadLetterRefusals.injected).toBeGreaterThan(0);
    expect(incomplete).toMatchObject({ id: ack.id, seq: ack.seq, unreached: unreached.length });
    const { sums } = stack.metrics();
    expect(sums[metric.deadLetterFailed]).toBe(unreached.length);
    expect(sums[metric.deadLettered] ?? 0).toBe(0);
    expect(errorLinesAbout(output, 'lost', logFrom).length).toBeGreaterThan(0);
    expect(copiesHistogram(listeners, ack.id as string)).toEqual({
      0: unreached.length,
      1: listeners.length - unreached.length,
    });
    await closeAll(everyone);
  });
});
