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
import type { Pacer } from './pacer.ts';
import { SMALL_BROADCAST } from './pacer.ts';
import type { PostToConnection } from './poster.ts';
import type { RecipientCursor, ShardJob } from './shard-job.ts';
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
  /** Paces the invocation's posts to the callback budget; one per invocation. */
  readonly pacer: Pacer;
  /** Waits (a throttled post before it goes again); tests pass their clock's. */
  readonly sleep: (milliseconds: number) => Promise<void>;
}

/** What one invocation did with its part of a broadcast. */
export interface FanoutReport extends Omit<BroadcastResult, 'retry' | 'unsent' | 'rejected'> {
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

/** The counts of a report that add up, across broadcasts and across invocations. */
const SUMMED_COUNTS = [
  'delivered',
  'gone',
  'failed',
  'forbidden',
  'staleDeleteFailed',
  'throttled',
  'bufferFull',
  'handedOff',
  'shards',
  'retried',
  'lost',
  'listed',
  'pages',
] as const satisfies readonly (keyof FanoutReport)[];

/** What can be added to a report: one broadcast's result, or another report. */
export type FanoutCounts = Partial<
  Pick<FanoutReport, (typeof SUMMED_COUNTS)[number] | 'lostListRemainder' | 'lastDeliveredAt'>
> &
  Pick<FanoutReport, 'errorNames'>;

/**
 * A report with nothing counted yet.
 * @returns every count 0, no error names, neither flag set
 */
export function emptyFanoutReport(): FanoutReport {
  const { retry: _retry, unsent: _unsent, rejected: _rejected, ...counts } = emptyBroadcastResult();
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

/**
 * Adds counts to a report: a broadcast's (which hands nothing off, so those counts stay), or
 * another invocation's report, e.g. to total the records of one batch. Error names are merged,
 * the later last delivery is kept, a lost list remainder stays lost, and `listComplete` is left alone: it describes one
 * invocation's reading of one room, which a total does not.
 * @param report - the report to add to, changed in place
 * @param counts - what to add
 */
export function addCounts(report: FanoutReport, counts: FanoutCounts): void {
  for (const key of SUMMED_COUNTS) report[key] += counts[key] ?? 0;
  if (counts.lastDeliveredAt !== undefined) {
    report.lastDeliveredAt = Math.max(report.lastDeliveredAt ?? 0, counts.lastDeliveredAt);
  }
  if (counts.lostListRemainder === true) report.lostListRemainder = true;
  for (const [name, count] of Object.entries(counts.errorNames)) {
    report.errorNames[name] = (report.errorNames[name] ?? 0) + count;
  }
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
  const run: FanoutRun = { job, deps, report: emptyFanoutReport() };
  if (job.recipients !== undefined) await postHere(run, job.recipients, job.attempt);
  else await fanOutFromCursor(run, job.cursor as RecipientCursor);
  return run.report;
}

/** One invocation's part of a broadcast while it runs: its job, what it needs, what it did. */
interface FanoutRun {
  readonly job: ShardJob;
  readonly deps: FanoutDeps;
  readonly report: FanoutReport;
}

/**
 * A cursor job: reads the list from the cursor, posts the first page here and hands every
 * further page off as soon as it is read, so other invocations post while this one still reads.
 */
async function fanOutFromCursor(run: FanoutRun, cursor: RecipientCursor): Promise<void> {
  const pages = readRecipientPages(run, cursor);
  const fromStart = cursor.after === undefined;
  const first = await pages.next();
  if (first.done) return;
  if (run.deps.queue === undefined) {
    await postEveryPageHere(run, first.value, pages);
    run.report.listComplete = fromStart;
    return;
  }
  const [, readToEnd] = await Promise.all([
    postHere(run, recipientsOf(run, first.value), run.job.attempt),
    handOffRestOfList(run, pages, cursor.room, first.value.next),
  ]);
  run.report.listComplete = fromStart && readToEnd;
}

/** The room's connections, page by page, from the cursor on. */
function readRecipientPages(run: FanoutRun, cursor: RecipientCursor): AsyncIterator<RecipientPage> {
  return run.deps.store
    .recipientPages(run.deps.now(), {
      room: cursor.room,
      pageSize: run.deps.shardSize,
      after: cursor.after,
    })
    [Symbol.asyncIterator]();
}

/** Counts a page read from the store and returns its recipients: everyone but the sender. */
function recipientsOf(run: FanoutRun, page: RecipientPage): string[] {
  run.report.pages++;
  run.report.listed += page.ids.length;
  return page.ids.filter((connectionId) => connectionId !== run.job.exclude);
}

/** Nowhere to hand off: posts page after page here, as far as the deadline allows. */
async function postEveryPageHere(
  run: FanoutRun,
  first: RecipientPage,
  pages: AsyncIterator<RecipientPage>,
): Promise<void> {
  await postHere(run, recipientsOf(run, first), run.job.attempt);
  for (let page = await pages.next(); !page.done; page = await pages.next()) {
    await postHere(run, recipientsOf(run, page.value), run.job.attempt);
  }
}

/**
 * Reads the rest of the list and hands each page off as a shard as soon as it is read, in the
 * order read. Near the deadline, or when a page cannot be read, the rest of the list goes off as
 * a cursor instead: another invocation continues from there.
 * @returns whether the list was read to its end
 */
async function handOffRestOfList(
  run: FanoutRun,
  pages: AsyncIterator<RecipientPage>,
  room: string,
  after: RecipientPage['next'],
): Promise<boolean> {
  let handingOff = Promise.resolve();
  const handOffInOrder = (jobs: readonly ShardJob[]): void => {
    handingOff = handingOff.then(() => handOff(run, jobs));
  };
  let next = after;
  while (next !== undefined) {
    if (pastDeadline(run.deps)) {
      // Out of time while reading: another invocation continues from here.
      handOffInOrder([continuationOf(run.job, room, next)]);
      break;
    }
    let page: IteratorResult<RecipientPage>;
    try {
      page = await pages.next();
    } catch {
      // The list could not be read further: another invocation tries again from here.
      handOffInOrder([continuationOf(run.job, room, next)]);
      break;
    }
    if (page.done) break;
    handOffInOrder(jobsFor(run, recipientsOf(run, page.value), 1));
    next = page.value.next;
  }
  await handingOff;
  return next === undefined;
}

/**
 * Posts to recipients here, then hands off those the deadline left unsent (at the same attempt)
 * and those whose post failed for a passing reason (at the next attempt, a little later).
 */
async function postHere(
  run: FanoutRun,
  recipients: readonly string[],
  attempt: number,
): Promise<void> {
  const { deps } = run;
  const result = await broadcastToConnections(recipients, run.job.payload, {
    post: deps.post,
    concurrency: deps.concurrency,
    onGone: async (connectionId) => {
      await deps.store.remove(connectionId);
    },
    shouldStop: () => pastDeadline(deps),
    now: () => deps.now().getTime(),
    pacer: deps.pacer,
    // A lease is one more DynamoDB request: not worth it for a small broadcast.
    leased: recipients.length > SMALL_BROADCAST,
    sleep: deps.sleep,
  });
  addCounts(run.report, result);
  await handOff(run, jobsFor(run, result.unsent, attempt));
  await retryLater(run, result.retry, attempt);
}

/**
 * Hands recipients whose post failed for a passing reason to a later attempt, delayed a little
 * more each time; after the last attempt, or with no queue, they count as failed.
 */
async function retryLater(
  run: FanoutRun,
  recipients: readonly string[],
  attempt: number,
): Promise<void> {
  const { report } = run;
  if (attempt >= MAX_ATTEMPTS || run.deps.queue === undefined) {
    report.failed += recipients.length;
    return;
  }
  const before = report.handedOff;
  await handOff(run, jobsFor(run, recipients, attempt + 1), RETRY_DELAY_SECONDS * attempt);
  report.retried += report.handedOff - before;
}

/**
 * Enqueues jobs for other invocations and counts them; what the queue refuses (everything, with
 * no queue) is lost.
 */
async function handOff(run: FanoutRun, jobs: readonly ShardJob[], delaySeconds = 0): Promise<void> {
  if (jobs.length === 0) return;
  const { queue } = run.deps;
  const { report } = run;
  const unsent = queue === undefined ? jobs : await queue.enqueue(jobs, delaySeconds);
  const sent = jobs.filter((candidate) => !unsent.includes(candidate));
  report.shards += sent.length;
  report.handedOff += recipientCount(sent);
  report.lost += recipientCount(unsent);
  if (unsent.some((candidate) => candidate.cursor !== undefined)) report.lostListRemainder = true;
}

/** True once no new post may start: what is left must be handed off. */
function pastDeadline(deps: FanoutDeps): boolean {
  return deps.remainingTimeMs() < HANDOFF_MARGIN_MS;
}

/** Shards of recipients, with the job's endpoint and payload, at `attempt`. */
function jobsFor(run: FanoutRun, recipients: readonly string[], attempt: number): ShardJob[] {
  const { endpoint, payload } = run.job;
  return splitIntoJobs(recipients, run.deps.shardSize, { endpoint, payload, attempt });
}

/** The rest of the room's list, after `after`, for another invocation to read. */
function continuationOf(
  job: ShardJob,
  room: string,
  after: Readonly<Record<string, unknown>>,
): ShardJob {
  return {
    endpoint: job.endpoint,
    payload: job.payload,
    attempt: job.attempt,
    cursor: { room, after },
    ...(job.exclude !== undefined && { exclude: job.exclude }),
  };
}
