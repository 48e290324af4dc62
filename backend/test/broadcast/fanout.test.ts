/**
 * The fan-out's plan, with an in-memory recipient list, a recording queue and a scripted poster:
 * what is posted here, what is handed off, and what happens at the deadline and on failures.
 */
import { describe, expect, it } from 'vitest';
import { emptyBroadcastResult } from '../../src/broadcast/broadcaster.ts';
import type { FanoutDeps, FanoutReport } from '../../src/broadcast/fanout.ts';
import {
  addCounts,
  emptyFanoutReport,
  HANDOFF_MARGIN_MS,
  runFanout,
} from '../../src/broadcast/fanout.ts';
import type { Pacer } from '../../src/broadcast/pacer.ts';
import type { ShardJob } from '../../src/broadcast/shard-job.ts';
import { MAX_ATTEMPTS } from '../../src/broadcast/shard-job.ts';
import { PostToConnectionError } from '../../src/errors.ts';
import type { RecipientPage } from '../../src/rooms/connection-store.ts';
import { recordingQueue, unpacedPacer } from '../support/mocks.ts';

const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const PAYLOAD = '{"type":"message","id":"01KB0000000000000000000000","message":"hi"}';
const ids = (count: number, prefix = 'c'): string[] =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}=`);

/** A connection list read `pageSize` ids at a time; the cursor is the index to continue at. */
function listStore(all: readonly string[], failAfterPages = Number.POSITIVE_INFINITY) {
  const removed: string[] = [];
  const reads: (number | undefined)[] = [];
  const rooms: string[] = [];
  return {
    removed,
    reads,
    rooms,
    async remove(connectionId: string): Promise<string | undefined> {
      removed.push(connectionId);
      return 'lobby';
    },
    async *recipientPages(
      _now: Date,
      options: { room: string; pageSize: number; after?: Readonly<Record<string, unknown>> },
    ) {
      rooms.push(options.room);
      let start = typeof options.after?.index === 'number' ? options.after.index : 0;
      let pages = 0;
      while (true) {
        reads.push(start);
        if (pages++ >= failAfterPages) throw new Error('read failed');
        const end = Math.min(all.length, start + options.pageSize);
        const page: RecipientPage = {
          ids: all.slice(start, end),
          next: end < all.length ? { index: end } : undefined,
        };
        yield page;
        if (page.next === undefined) return;
        start = end;
      }
    },
  };
}

function deps(overrides: Partial<FanoutDeps> & { posted?: string[] } = {}): FanoutDeps {
  const posted = overrides.posted ?? [];
  return {
    post: async (connectionId) => {
      posted.push(connectionId);
    },
    concurrency: 4,
    store: listStore([]),
    queue: recordingQueue(),
    shardSize: 3,
    now: () => new Date('2026-11-27T06:00:00.000Z'),
    remainingTimeMs: () => 10_000,
    pacer: unpacedPacer(),
    sleep: async () => {},
    deadLetters: undefined,
    deliveryWindowMs: 60_000,
    random: () => 0.5,
    ...overrides,
  };
}

const recipientsOf = (jobs: readonly { job: ShardJob }[]): string[] =>
  jobs.flatMap(({ job }) => [...(job.recipients ?? [])]);

describe('runFanout from the start of the list', () => {
  const start: ShardJob = {
    endpoint: ENDPOINT,
    payload: PAYLOAD,
    attempt: 1,
    cursor: { room: 'support' },
    exclude: 'c1=',
  };

  it('posts a list that fits one page itself, with no hand-off, leaving the sender out', async () => {
    // Prepare
    const posted: string[] = [];
    const queue = recordingQueue();

    // Act
    const report = await runFanout(start, deps({ posted, queue, store: listStore(ids(3)) }));

    // Assess
    expect(posted.toSorted()).toEqual(['c0=', 'c2=']);
    expect(queue.enqueued).toEqual([]);
    expect(report).toMatchObject({ listed: 3, listComplete: true, pages: 1 });
    expect(report).toMatchObject({ delivered: 2, handedOff: 0, shards: 0, lost: 0 });
  });

  it('posts the first page and hands every further page to the queue as one shard each', async () => {
    // Prepare
    const posted: string[] = [];
    const queue = recordingQueue();

    // Act
    const report = await runFanout(start, deps({ posted, queue, store: listStore(ids(10)) }));

    // Assess: pages of 3; the sender (c1) is in the first page and left out
    expect(posted.toSorted()).toEqual(['c0=', 'c2=']);
    expect(queue.enqueued.map(({ job }) => job.recipients)).toEqual([
      ['c3=', 'c4=', 'c5='],
      ['c6=', 'c7=', 'c8='],
      ['c9='],
    ]);
    for (const { job, delaySeconds } of queue.enqueued) {
      expect(job).toMatchObject({ endpoint: ENDPOINT, payload: PAYLOAD, attempt: 1 });
      expect(delaySeconds).toBe(0);
    }
    expect(report).toMatchObject({ delivered: 2, handedOff: 7, shards: 3, lost: 0 });
  });

  it('leaves the sender out of pages it hands off too', async () => {
    const queue = recordingQueue();

    await runFanout({ ...start, exclude: 'c4=' }, deps({ queue, store: listStore(ids(6)) }));

    expect(recipientsOf(queue.enqueued)).toEqual(['c3=', 'c5=']);
  });

  it('stops reading near its deadline and hands the rest of the list off as a cursor', async () => {
    // Prepare: time runs out after the first two pages were read
    const queue = recordingQueue();
    const store = listStore(ids(12));
    let remaining = 10_000;

    // Act
    await runFanout(
      start,
      deps({
        queue,
        store,
        remainingTimeMs: () => remaining,
        post: async () => {
          remaining = HANDOFF_MARGIN_MS - 1;
        },
      }),
    );

    // Assess: whatever was not read goes to one continuation job, from the next page
    const cursors = queue.enqueued.filter(({ job }) => job.cursor !== undefined);
    expect(cursors).toHaveLength(1);
    expect(cursors[0]?.job).toMatchObject({
      cursor: { room: 'support', after: { index: expect.any(Number) } },
      exclude: 'c1=',
    });
    const continueAt = cursors[0]?.job.cursor?.after?.index as number;
    const listed = recipientsOf(queue.enqueued);
    // Every id is either handed off by name or behind the cursor, none twice
    const covered = [...listed, ...ids(12).slice(continueAt)];
    expect(new Set(covered).size).toBe(covered.length);
    expect(store.reads.length).toBeLessThan(4);
  });

  it('hands the rest of the list off when a later page cannot be read', async () => {
    const queue = recordingQueue();

    const report = await runFanout(start, deps({ queue, store: listStore(ids(9), 1) }));

    expect(queue.enqueued.map(({ job }) => job.cursor)).toEqual([
      { room: 'support', after: { index: 3 } },
    ]);
    expect(report.lostListRemainder).toBe(false);
  });

  it('fails when the first page cannot be read, having sent nothing', async () => {
    const posted: string[] = [];

    await expect(runFanout(start, deps({ posted, store: listStore(ids(9), 0) }))).rejects.toThrow(
      'read failed',
    );
    expect(posted).toEqual([]);
  });

  it('posts every page itself when there is no queue', async () => {
    const posted: string[] = [];

    const report = await runFanout(
      start,
      deps({ posted, queue: undefined, store: listStore(ids(8)) }),
    );

    expect(posted.toSorted()).toEqual(
      ids(8)
        .filter((id) => id !== 'c1=')
        .toSorted(),
    );
    expect(report).toMatchObject({ delivered: 7, handedOff: 0, lost: 0 });
  });

  it('counts as lost what the queue refuses, and flags a list remainder that could not be handed off', async () => {
    // Prepare
    const queue = recordingQueue();
    queue.refuse = true;

    // Act
    const pages = await runFanout(start, deps({ queue, store: listStore(ids(9)) }));
    const remainder = await runFanout(start, deps({ queue, store: listStore(ids(9), 1) }));

    // Assess
    expect(pages).toMatchObject({ delivered: 2, lost: 6, lostListRemainder: false });
    expect(remainder.lostListRemainder).toBe(true);
  });
});

describe('runFanout of a list of recipients', () => {
  const shard: ShardJob = { endpoint: ENDPOINT, payload: PAYLOAD, attempt: 1, recipients: ids(5) };

  it('posts exactly its recipients and deletes the gone ones', async () => {
    // Prepare
    const posted: string[] = [];
    const store = listStore([]);
    const post = async (connectionId: string) => {
      posted.push(connectionId);
      if (connectionId === 'c3=') throw new PostToConnectionError('GoneException', 410);
    };

    // Act
    const report = await runFanout(shard, deps({ post, store }));

    // Assess
    expect(posted.toSorted()).toEqual(ids(5));
    expect(store.removed).toEqual(['c3=']);
    expect(report).toMatchObject({ delivered: 4, gone: 1, failed: 0, handedOff: 0 });
  });

  it('hands off what it has not started when its deadline is near, at the same attempt', async () => {
    // Prepare: the deadline arrives after two posts
    const queue = recordingQueue();
    let remaining = 10_000;
    let sent = 0;
    const post = async () => {
      if (++sent === 2) remaining = HANDOFF_MARGIN_MS - 1;
    };

    // Act
    const report = await runFanout(
      shard,
      deps({ post, queue, concurrency: 1, remainingTimeMs: () => remaining }),
    );

    // Assess
    expect(report).toMatchObject({ delivered: 2, handedOff: 3, retried: 0, lost: 0 });
    expect(queue.enqueued).toEqual([
      { job: { ...shard, recipients: ['c2=', 'c3=', 'c4='] }, delaySeconds: 0 },
    ]);
  });

  it('retries throttled, failing and unanswered posts in a delayed shard, and gives up after the last attempt', async () => {
    // Prepare: 429, 500 and a network error are passing failures; 413 is not
    const failures: Record<string, Error> = {
      'c0=': new PostToConnectionError('LimitExceededException', 429),
      'c1=': new PostToConnectionError('InternalServerError', 500),
      'c2=': Object.assign(new Error('socket hang up'), { name: 'Error' }),
      'c3=': new PostToConnectionError('PayloadTooLargeException', 413),
    };
    const post = async (connectionId: string) => {
      const failure = failures[connectionId];
      if (failure !== undefined) throw failure;
    };
    const queue = recordingQueue();

    // Act
    const first = await runFanout(shard, deps({ post, queue }));
    const last = await runFanout(
      { ...shard, attempt: MAX_ATTEMPTS },
      deps({ post, queue: recordingQueue() }),
    );

    // Assess: the recipient throttled while others succeed waited and went again twice, then
    // was taken for a full buffer and retried last
    expect(first).toMatchObject({ delivered: 1, failed: 1, retried: 3, handedOff: 3 });
    expect(queue.enqueued).toEqual([
      { job: { ...shard, attempt: 2, recipients: ['c1=', 'c2=', 'c0='] }, delaySeconds: 1 },
    ]);
    expect(first).toMatchObject({ throttled: 3, bufferFull: 1 });
    expect(first.errorNames).toEqual({
      LimitExceededException: 3,
      InternalServerError: 1,
      Error: 1,
      PayloadTooLargeException: 1,
    });
    expect(last).toMatchObject({ delivered: 1, failed: 4, retried: 0, handedOff: 0 });
  });
});

describe('runFanout and the shared callback budget', () => {
  const MESSAGE = { id: '01KB0000000000000000000000', room: 'support', acceptedAt: 0 };
  const fromStart: ShardJob = {
    endpoint: ENDPOINT,
    payload: PAYLOAD,
    attempt: 1,
    cursor: { room: 'support' },
    message: MESSAGE,
  };

  /** A pacer that remembers, for each post, whether it asked for a lease of the budget. */
  function leaseRecordingPacer(): { pacer: Pacer; leased: boolean[] } {
    const inner = unpacedPacer();
    const leased: boolean[] = [];
    const pacer: Pacer = {
      stats: inner.stats,
      expect: (posts) => inner.expect(posts),
      acquire: (lease) => {
        leased.push(lease);
        return inner.acquire(lease);
      },
      delivered: () => inner.delivered(),
      throttled: (connectionId, startedAt) => inner.throttled(connectionId, startedAt),
    };
    return { pacer, leased };
  }

  it('posts a whole room of one small page without a lease', async () => {
    // Prepare
    const { pacer, leased } = leaseRecordingPacer();

    // Act
    await runFanout(fromStart, deps({ pacer, shardSize: 10, store: listStore(ids(8)) }));

    // Assess
    expect(leased).toEqual(Array(8).fill(false));
  });

  it("leases the first page of a larger room, however small the page: other invocations post the room's other pages at the same time", async () => {
    // Prepare: pages of 3 (all under the small-broadcast size) in a room of 10
    const { pacer, leased } = leaseRecordingPacer();
    const queue = recordingQueue();

    // Act
    await runFanout(fromStart, deps({ pacer, queue, store: listStore(ids(10)) }));

    // Assess
    expect(queue.enqueued).toHaveLength(3);
    expect(leased).toEqual(Array(3).fill(true));
  });

  it("leases a shard or a retry of a message's broadcast, however few its recipients", async () => {
    // Prepare
    const { pacer, leased } = leaseRecordingPacer();
    const retry: ShardJob = { ...fromStart, cursor: undefined, attempt: 2, recipients: ids(2) };

    // Act
    await runFanout(retry, deps({ pacer }));

    // Assess
    expect(leased).toEqual([true, true]);
  });

  it('posts a small presence update (a list of no message) without a lease', async () => {
    // Prepare
    const { pacer, leased } = leaseRecordingPacer();
    const presence: ShardJob = {
      endpoint: ENDPOINT,
      payload: PAYLOAD,
      attempt: 1,
      recipients: ids(4),
    };

    // Act
    await runFanout(presence, deps({ pacer, queue: undefined }));

    // Assess
    expect(leased).toEqual(Array(4).fill(false));
  });
});

describe('addCounts', () => {
  /** A report whose every count differs: 1, 2, 3, … in the order of its fields. */
  function distinctCounts(): FanoutReport {
    const report = emptyFanoutReport();
    let next = 1;
    for (const key of Object.keys(report) as (keyof FanoutReport)[]) {
      if (typeof report[key] === 'number') Object.assign(report, { [key]: next++ });
    }
    return report;
  }

  it("adds every count of another invocation's report and merges their error names", () => {
    // Prepare
    const total = { ...distinctCounts(), errorNames: { LimitExceededException: 2 } };
    const other = {
      ...distinctCounts(),
      lostListRemainder: true,
      listComplete: true,
      errorNames: { LimitExceededException: 1, InternalServerError: 4 },
    };

    // Act
    addCounts(total, other);

    // Assess: each count doubled, the flags as an invocation of the batch left them
    for (const [key, value] of Object.entries(distinctCounts())) {
      if (typeof value === 'number') expect(total[key as keyof FanoutReport], key).toBe(2 * value);
    }
    expect(total.errorNames).toEqual({ LimitExceededException: 3, InternalServerError: 4 });
    expect(total.lostListRemainder).toBe(true);
    expect(total.listComplete).toBe(false);
  });

  it("adds a broadcast's counts, leaving what it has none of as it was", () => {
    // Prepare
    const report = { ...emptyFanoutReport(), handedOff: 5, listed: 9, lostListRemainder: false };
    const broadcast = {
      ...emptyBroadcastResult(),
      delivered: 3,
      gone: 1,
      failed: 2,
      forbidden: 1,
      staleDeleteFailed: 1,
      errorNames: { ForbiddenException: 1, PayloadTooLargeException: 1 },
      retry: ['c1='],
      unsent: ['c2='],
    };

    // Act
    addCounts(report, broadcast);

    // Assess
    expect(report).toMatchObject({
      delivered: 3,
      gone: 1,
      failed: 2,
      forbidden: 1,
      staleDeleteFailed: 1,
      handedOff: 5,
      listed: 9,
      lost: 0,
      lostListRemainder: false,
      errorNames: { ForbiddenException: 1, PayloadTooLargeException: 1 },
    });
  });
});
