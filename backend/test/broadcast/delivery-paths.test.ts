/**
 * Every path of a message's fan-out ends in delivered, gone (410), or counted in the
 * dead-letter queue, with a fake clock and SQS played by the test: what an invocation hands to
 * the queue is run again once its delay has passed, as the event source mapping would. Each
 * test fails if its path drops a recipient.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeadLetterQueue } from '../../src/broadcast/dead-letter-queue.ts';
import { remainderEstimate } from '../../src/broadcast/delivery-report.ts';
import type { FanoutDeps, FanoutReport } from '../../src/broadcast/fanout.ts';
import { addCounts, emptyFanoutReport, runFanout } from '../../src/broadcast/fanout.ts';
import { createPacer } from '../../src/broadcast/pacer.ts';
import type { ShardJob } from '../../src/broadcast/shard-job.ts';
import { parseShardJob } from '../../src/broadcast/shard-job.ts';
import { createShardQueue } from '../../src/broadcast/shard-queue.ts';
import { PostToConnectionError } from '../../src/errors.ts';
import type { RecipientPage } from '../../src/rooms/connection-store.ts';
import type { FakeClock } from '../support/mocks.ts';
import { fakeClock, recordingDeadLetters, recordingQueue } from '../support/mocks.ts';

const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const T0 = Date.parse('2026-11-27T06:00:00.000Z');
const MESSAGE = { id: '01KB0000000000000000000000', room: 'support', acceptedAt: T0 };
const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => `c${i}=`);
const serverError = (): PostToConnectionError =>
  new PostToConnectionError('InternalServerErrorException', 500);

/** A room read `pageSize` at a time. */
function roomStore(members: readonly string[]): FanoutDeps['store'] {
  return {
    remove: async () => undefined,
    async *recipientPages(_now, options) {
      let start = typeof options.after?.index === 'number' ? options.after.index : 0;
      while (true) {
        const end = Math.min(members.length, start + options.pageSize);
        const page: RecipientPage = {
          ids: members.slice(start, end),
          next: end < members.length ? { index: end } : undefined,
        };
        yield page;
        if (page.next === undefined) return;
        start = end;
      }
    },
  };
}

function depsAt(clock: FakeClock, overrides: Partial<FanoutDeps>): FanoutDeps {
  return {
    post: async () => {},
    concurrency: 4,
    store: roomStore([]),
    queue: recordingQueue(),
    shardSize: 5,
    now: () => new Date(clock.now()),
    remainingTimeMs: () => 10_000,
    pacer: createPacer({
      budget: undefined,
      postsPerSecond: 1000,
      clock,
      timeToStopMs: () => 10_000,
    }),
    sleep: clock.sleep,
    deadLetters: recordingDeadLetters(),
    deliveryWindowMs: 60_000,
    random: () => 0.5,
    ...overrides,
  };
}

/**
 * Runs a job, then every job it queued once its delay has passed, until the queue is empty, as
 * SQS and the event source mapping would.
 */
async function runUntilQuiet(
  first: ShardJob,
  clock: FakeClock,
  overrides: Partial<FanoutDeps>,
): Promise<FanoutReport> {
  const queue = recordingQueue();
  const total = emptyFanoutReport();
  const due: { job: ShardJob; at: number }[] = [{ job: first, at: clock.now() }];
  for (let runs = 0; due.length > 0; runs++) {
    expect(runs, 'the retries come to an end').toBeLessThan(200);
    due.sort((a, b) => a.at - b.at);
    const next = due.shift() as { job: ShardJob; at: number };
    if (next.at > clock.now()) clock.advance(next.at - clock.now());
    addCounts(total, await runFanout(next.job, depsAt(clock, { queue, ...overrides })));
    for (const { job, delaySeconds } of queue.enqueued.splice(0)) {
      due.push({ job, at: clock.now() + delaySeconds * 1000 });
    }
  }
  return total;
}

const shardOf = (recipients: readonly string[]): ShardJob => ({
  endpoint: ENDPOINT,
  payload: '{"type":"message"}',
  attempt: 1,
  recipients,
  message: MESSAGE,
});

const deadLettered = (dead: ReturnType<typeof recordingDeadLetters>): string[] =>
  dead.kept.flatMap(({ job }) => [...(job.recipients ?? [])]);

describe('every path of a message ends delivered, gone or dead-lettered', () => {
  it('throttled, then delivered: the posts wait and go again in the same invocation', async () => {
    // Prepare: the account throttles the first 12 posts
    const clock = fakeClock(T0);
    const delivered = new Set<string>();
    let posts = 0;
    const post = async (connectionId: string) => {
      if (++posts <= 12) throw new PostToConnectionError('LimitExceededException', 429);
      delivered.add(connectionId);
    };

    // Act
    const report = await runUntilQuiet(shardOf(ids(8)), clock, { post });

    // Assess
    expect([...delivered].toSorted()).toEqual(ids(8).toSorted());
    expect(report).toMatchObject({ delivered: 8, throttled: 12, retried: 0, deadLettered: 0 });
  });

  it('5xx for 8 s, then delivered inside the window, with backoff', async () => {
    // Prepare: @connections answers 500 until T0 + 8 s
    const clock = fakeClock(T0);
    const delivered = new Set<string>();
    const dead = recordingDeadLetters();
    const post = async (connectionId: string) => {
      if (clock.now() < T0 + 8000) throw serverError();
      delivered.add(connectionId);
    };

    // Act
    const report = await runUntilQuiet(shardOf(ids(6)), clock, { post, deadLetters: dead });

    // Assess: retried after 1, 1, 2, 4 s (the jitter halves at 0.5, rounding up)…
    expect([...delivered].toSorted()).toEqual(ids(6).toSorted());
    expect(dead.kept).toEqual([]);
    expect(report.retried).toBeGreaterThanOrEqual(6 * 3);
    expect(clock.now()).toBeLessThan(T0 + 60_000);
  });

  it('5xx beyond the window: the recipients go to the dead-letter queue with the message', async () => {
    // Prepare
    const clock = fakeClock(T0);
    const dead = recordingDeadLetters();
    const post = async () => {
      throw serverError();
    };

    // Act
    const report = await runUntilQuiet(shardOf(ids(6)), clock, { post, deadLetters: dead });

    // Assess
    expect(deadLettered(dead).toSorted()).toEqual(ids(6).toSorted());
    for (const { job, reason } of dead.kept) {
      expect(reason).toBe('window_ended');
      expect(job.message).toEqual(MESSAGE);
    }
    expect(report).toMatchObject({ deadLettered: 6, lost: 0, delivered: 0 });
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 60_000);
  });

  it('a record redriven from the dead-letter queue gets one more attempt per recipient', async () => {
    // Prepare: c0 is reachable again, c1 is not
    const clock = fakeClock(T0 + 3_600_000);
    const dead = recordingDeadLetters();
    const post = async (connectionId: string) => {
      if (connectionId === 'c1=') throw serverError();
    };
    const redriven = { ...shardOf(['c0=', 'c1=']), attempt: 9, deadLetter: { reason: 'x' } };

    // Act
    const report = await runUntilQuiet(redriven, clock, { post, deadLetters: dead });

    // Assess
    expect(report).toMatchObject({ delivered: 1, retried: 0, deadLettered: 1 });
    expect(dead.kept).toMatchObject([{ job: { recipients: ['c1='] }, reason: 'redrive_failed' }]);
  });

  it('a recipient gone (410) is deleted and ends there', async () => {
    const clock = fakeClock(T0);
    const post = async () => {
      throw new PostToConnectionError('GoneException', 410);
    };

    const report = await runUntilQuiet(shardOf(ids(3)), clock, { post });

    expect(report).toMatchObject({ gone: 3, retried: 0, deadLettered: 0, lost: 0 });
  });

  it('a hand-off refused twice, then accepted: nothing posted inline, nothing dead-lettered', async () => {
    // Prepare: SQS refuses the first two calls
    const clock = fakeClock(T0);
    const queue = recordingQueue();
    let calls = 0;
    const refusingQueue = {
      async enqueue(jobs: readonly ShardJob[], delaySeconds = 0) {
        if (++calls <= 2) return [...jobs];
        return queue.enqueue(jobs, delaySeconds);
      },
    };
    const dead = recordingDeadLetters();
    const start: ShardJob = { ...shardOf([]), recipients: undefined, cursor: { room: 'support' } };

    // Act
    const report = await runFanout(
      start,
      depsAt(clock, { queue: refusingQueue, store: roomStore(ids(12)), deadLetters: dead }),
    );

    // Assess: page 1 posted here; pages 2 and 3 queued after two refusals
    const queued = queue.enqueued.flatMap(({ job }) => [...(job.recipients ?? [])]);
    expect(queued.toSorted()).toEqual(ids(12).slice(5).toSorted());
    expect(report).toMatchObject({ delivered: 5, handOffRetries: 2, postedInline: 0 });
    expect(dead.kept).toEqual([]);
  });

  it('a hand-off always refused: posted inline as far as the deadline allows, the rest dead-lettered', async () => {
    // Prepare: the deadline arrives after 9 posts
    const clock = fakeClock(T0);
    const queue = recordingQueue();
    queue.refuse = true;
    const dead = recordingDeadLetters();
    const delivered: string[] = [];
    let remaining = 10_000;
    const post = async (connectionId: string) => {
      delivered.push(connectionId);
      if (delivered.length === 9) remaining = 2000;
    };
    const start: ShardJob = {
      ...shardOf([]),
      recipients: undefined,
      cursor: { room: 'support' },
      exclude: 'c0=',
    };

    // Act
    const report = await runFanout(
      start,
      depsAt(clock, {
        post,
        queue,
        store: roomStore(ids(20)),
        deadLetters: dead,
        concurrency: 1,
        remainingTimeMs: () => remaining,
      }),
    );

    // Assess: every member but the sender is delivered or dead-lettered (or behind a
    // dead-lettered cursor), none twice
    const behindCursor = dead.kept
      .filter(({ job }) => job.cursor !== undefined)
      .flatMap(({ job }) => ids(20).slice(job.cursor?.after?.index as number));
    const covered = [...delivered, ...deadLettered(dead), ...behindCursor];
    expect(covered.toSorted()).toEqual(ids(20).slice(1).toSorted());
    expect(report.postedInline).toBeGreaterThan(0);
    expect(report.deadLettered + remainderEstimate(report, 20).deadLettered).toBe(
      19 - delivered.length,
    );
    expect(dead.kept.every(({ reason }) => reason === 'handoff_failed')).toBe(true);
  });

  it('the dead-letter queue refusing too: counted as lost, never silently', async () => {
    // Prepare
    const clock = fakeClock(T0 + 120_000);
    const dead = recordingDeadLetters();
    dead.refuse = true;
    const post = async () => {
      throw serverError();
    };

    // Act
    const report = await runFanout(shardOf(ids(4)), depsAt(clock, { post, deadLetters: dead }));

    // Assess
    expect(report).toMatchObject({ deadLettered: 0, lost: 4 });
  });
});

describe('SDK calls that time out at the deadline', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  const timeout = (): Error => Object.assign(new Error('no time left'), { name: 'TimeoutError' });
  const client = new SQSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });

  it('a dead-letter write that times out is counted lost, not dropped', async () => {
    // Prepare: every SendMessageBatch times out; the dead-letter queue works, then times out
    sqs.on(SendMessageBatchCommand).rejects(timeout());
    sqs.on(SendMessageCommand).resolvesOnce({}).rejects(timeout());
    const clock = fakeClock(T0 + 120_000);
    const deps = depsAt(clock, {
      queue: createShardQueue({ client, queueUrl: 'https://sqs/1/fanout' }),
      deadLetters: createDeadLetterQueue({ client, queueUrl: 'https://sqs/1/fanout-dlq' }),
      post: async () => {
        throw serverError();
      },
    });

    // Act: two shards past the window: their failures must be dead-lettered
    const first = await runFanout(shardOf(ids(3)), deps);
    const second = await runFanout(shardOf(['x=', 'y=']), deps);

    // Assess
    expect(first).toMatchObject({ deadLettered: 3, lost: 0 });
    expect(second).toMatchObject({ deadLettered: 0, lost: 2 });
    const kept = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(kept?.QueueUrl).toBe('https://sqs/1/fanout-dlq');
    expect(parseShardJob(kept?.MessageBody ?? '')).toMatchObject({
      ok: true,
      job: { recipients: ids(3), message: MESSAGE, deadLetter: { reason: 'window_ended' } },
    });
  });

  it('a hand-off that times out is posted here instead', async () => {
    // Prepare: every SendMessageBatch times out; a room of 12, 5 a page
    sqs.on(SendMessageBatchCommand).rejects(timeout());
    const clock = fakeClock(T0);
    const delivered: string[] = [];
    const deps = depsAt(clock, {
      queue: createShardQueue({ client, queueUrl: 'https://sqs/1/fanout' }),
      store: roomStore(ids(12)),
      post: async (connectionId) => {
        delivered.push(connectionId);
      },
    });
    const start: ShardJob = { ...shardOf([]), recipients: undefined, cursor: { room: 'support' } };

    // Act
    const report = await runFanout(start, deps);

    // Assess
    expect(delivered.toSorted()).toEqual(ids(12).toSorted());
    expect(report).toMatchObject({ delivered: 12, postedInline: 7, handedOff: 0, lost: 0 });
  });
});
