/**
 * One invocation's part of a broadcast. The invocation that accepted a message reads the
 * connection list page by page: it posts the first page itself (a small room never leaves this
 * invocation) and hands every further page to the shard queue as soon as it is read, so other
 * invocations post in parallel while it is still reading. Every invocation watches its deadline:
 * what it has not started by then (recipients, or the rest of the list) goes back to the queue,
 * never silently dropped. Recipients whose post failed for a passing reason go back too, a
 * little later, up to MAX_ATTEMPTS.
 */

import type { ConnectionStore, RecipientPage } from '../rooms/connection-store.ts';
import type { BroadcastResult } from './broadcaster.ts';
import { broadcastToConnections, emptyBroadcastResult } from './broadcaster.ts';
import type { PostToConnection } from './poster.ts';
import type { ShardJob } from './shard-job.ts';
import { MAX_ATTEMPTS, recipientCount, splitIntoJobs } from './shard-job.ts';
import type { ShardQueue } from './shard-queue.ts';

/**
 * No new post starts with less time left than this: it covers posts still in flight (each
 * bounded by POST_TIMEOUT_MS), the hand-off's SendMessageBatch and the log line, on a container
 * with a fraction of a vCPU.
 */
export const HANDOFF_MARGIN_MS = 2500;
/** A post without an answer after this long counts as a passing failure and is retried. */
export const POST_TIMEOUT_MS = 1500;
/** Seconds SQS hides a retry shard, times its attempt number. */
const RETRY_DELAY_SECONDS = 1;

/** What a fan-out needs. */
export interface FanoutDeps {
  readonly post: PostToConnection;
  /** Posts in flight at once. */
  readonly concurrency: number;
  readonly store: Pick<ConnectionStore, 'remove' | 'recipientPages'>;
  /** Undefined: no hand-off; everything is posted here, as far as the deadline allows. */
  readonly queue: ShardQueue | undefined;
  /** Recipients per invocation: the page this invocation posts, and each shard. */
  readonly shardSize: number;
  readonly now: () => Date;
  /** The invocation's remaining time (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs: () => number;
}

/** What one invocation did with its part of a broadcast. */
export interface FanoutReport extends Omit<BroadcastResult, 'retry' | 'unsent'> {
  /** Recipients handed to other invocations (pages read here, unsent, retries). */
  handedOff: number;
  /** Shard messages enqueued. */
  shards: number;
  /** Of `handedOff`: recipients whose post failed for a passing reason, queued to retry. */
  retried: number;
  /** Recipients this invocation could neither reach nor hand off; nobody will deliver to them. */
  lost: number;
  /** A cursor job (the rest of the list) could not be handed off: its recipients are lost. */
  lostListRemainder: boolean;
  /**
   * Live members this invocation read from the store (the excluded sender included), and whether
   * that was the whole room: then it is the room's exact head count.
   */
  listed: number;
  listComplete: boolean;
  /** Pages of the room this invocation read (DynamoDB Query calls). */
  pages: number;
}

/**
 * Runs one job: posts its recipients (or reads them from the store from its cursor) and hands
 * off what it cannot finish.
 * @param job - the recipients or the cursor, the payload and the endpoint
 * @param deps - poster, store, queue, sizes and clocks
 * @returns the counts for the log line
 * @throws when the first page of recipients cannot be read (nothing was sent)
 */
export async function runFanout(job: ShardJob, deps: FanoutDeps): Promise<FanoutReport> {
  const report = emptyReport();
  const shouldStop = (): boolean => deps.remainingTimeMs() < HANDOFF_MARGIN_MS;
  const template = { endpoint: job.endpoint, payload: job.payload };

  const handOff = async (jobs: readonly ShardJob[], delaySeconds = 0): Promise<void> => {
    if (jobs.length === 0) return;
    const unsent = deps.queue === undefined ? jobs : await deps.queue.enqueue(jobs, delaySeconds);
    const sent = jobs.filter((candidate) => !unsent.includes(candidate));
    report.shards += sent.length;
    report.handedOff += recipientCount(sent);
    report.lost += recipientCount(unsent);
    if (unsent.some((candidate) => candidate.cursor !== undefined)) report.lostListRemainder = true;
  };

  const post = async (recipients: readonly string[], attempt: number): Promise<void> => {
    const result = await broadcastToConnections(recipients, job.payload, {
      post: deps.post,
      concurrency: deps.concurrency,
      onGone: async (connectionId) => {
        await deps.store.remove(connectionId);
      },
      shouldStop,
    });
    addCounts(report, result);
    // Recipients never attempted keep their attempt; failed ones try again a little later.
    await handOff(splitIntoJobs(result.unsent, deps.shardSize, { ...template, attempt }));
    if (attempt >= MAX_ATTEMPTS || deps.queue === undefined) {
      report.failed += result.retry.length;
      return;
    }
    const retries = splitIntoJobs(result.retry, deps.shardSize, {
      ...template,
      attempt: attempt + 1,
    });
    const before = report.handedOff;
    await handOff(retries, RETRY_DELAY_SECONDS * attempt);
    report.retried += report.handedOff - before;
  };

  if (job.recipients !== undefined) {
    await post(job.recipients, job.attempt);
    return report;
  }

  // A cursor job: read the list from here, post the first page, hand off the rest.
  const cursor = job.cursor as NonNullable<ShardJob['cursor']>;
  const pages = deps.store
    .recipientPages(deps.now(), {
      room: cursor.room,
      pageSize: deps.shardSize,
      after: cursor.after,
    })
    [Symbol.asyncIterator]();
  const without = (page: RecipientPage): string[] => {
    report.pages++;
    report.listed += page.ids.length;
    return page.ids.filter((connectionId) => connectionId !== job.exclude);
  };
  const fromStart = cursor.after === undefined;
  const first = await pages.next();
  if (first.done) return report;
  if (deps.queue === undefined) {
    // Nowhere to hand off: post page after page here, as far as the deadline allows.
    await post(without(first.value), job.attempt);
    for (let page = await pages.next(); !page.done; page = await pages.next()) {
      await post(without(page.value), job.attempt);
    }
    report.listComplete = fromStart;
    return report;
  }
  const posting = post(without(first.value), job.attempt);
  let handingOff = Promise.resolve();
  const queueInOrder = (jobs: readonly ShardJob[]): void => {
    handingOff = handingOff.then(() => handOff(jobs));
  };
  let next = first.value.next;
  const continueFrom = (after: Readonly<Record<string, unknown>>): ShardJob => ({
    ...template,
    attempt: job.attempt,
    cursor: { room: cursor.room, after },
    ...(job.exclude !== undefined && { exclude: job.exclude }),
  });
  while (next !== undefined) {
    if (shouldStop()) {
      // Out of time while reading: another invocation continues from here.
      queueInOrder([continueFrom(next)]);
      break;
    }
    let page: IteratorResult<RecipientPage>;
    try {
      page = await pages.next();
    } catch {
      // The list could not be read further: another invocation tries again from here.
      queueInOrder([continueFrom(next)]);
      break;
    }
    if (page.done) break;
    queueInOrder(splitIntoJobs(without(page.value), deps.shardSize, { ...template, attempt: 1 }));
    next = page.value.next;
  }
  report.listComplete = fromStart && next === undefined;
  await Promise.all([posting, handingOff]);
  return report;
}

function emptyReport(): FanoutReport {
  const { retry: _retry, unsent: _unsent, ...counts } = emptyBroadcastResult();
  return {
    ...counts,
    handedOff: 0,
    shards: 0,
    retried: 0,
    lost: 0,
    lostListRemainder: false,
    listed: 0,
    listComplete: false,
    pages: 0,
  };
}

function addCounts(report: FanoutReport, result: BroadcastResult): void {
  report.delivered += result.delivered;
  report.gone += result.gone;
  report.failed += result.failed;
  report.forbidden += result.forbidden;
  report.staleDeleteFailed += result.staleDeleteFailed;
  for (const [name, count] of Object.entries(result.errorNames)) {
    report.errorNames[name] = (report.errorNames[name] ?? 0) + count;
  }
}
