/**
 * One invocation's part of a broadcast. The invocation that accepted a message reads the
 * connection list page by page: it posts the first page itself (a small room never leaves this
 * invocation) and hands every further page to the shard queue as soon as it is read, so other
 * invocations post in parallel while it is still reading. Every invocation watches its deadline:
 * what it has not started by then (recipients, or the rest of the list) goes back to the queue,
 * never silently dropped. Recipients whose post failed for a passing reason go back too, a
 * little later, up to MAX_ATTEMPTS.
 */

import { errorName } from '../errors.ts';
import type { ConnectionStore, RecipientPage } from '../rooms/connection-store.ts';
import type { BroadcastResult } from './broadcaster.ts';
import { broadcastToConnections, emptyBroadcastResult } from './broadcaster.ts';
import type { DeadLetterQueue } from './dead-letter-queue.ts';
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
/** A job of no message: seconds SQS hides a retry shard, times its attempt number. */
const LEGACY_RETRY_DELAY_SECONDS = 1;
/** A message's retries wait 1, 2, 4, 8 and then at most this many seconds (with jitter). */
const MAX_RETRY_DELAY_SECONDS = 16;
/** SendMessageBatch calls per hand-off (each sends refused entries once more itself)… */
const HANDOFF_ROUNDS = 4;
/** …the first wait between them, doubling, with jitter… */
const HANDOFF_BACKOFF_MS = 100;
/** …and the time a retry must leave for posting here or dead-lettering. */
const HANDOFF_RETRY_FLOOR_MS = 1000;

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
  /** Where a message's undeliverable recipients go; undefined: nowhere (they count as lost). */
  readonly deadLetters: DeadLetterQueue | undefined;
  /** How long after its acceptance a message's recipients are retried (DELIVERY_WINDOW_SECONDS). */
  readonly deliveryWindowMs: number;
  /** A number in [0, 1) for jitter; tests fix it. */
  readonly random: () => number;
}

/** What one invocation did with its part of a broadcast. */
export interface FanoutReport extends Omit<BroadcastResult, 'retry' | 'unsent' | 'rejected'> {
  /** Recipients handed to other invocations (pages read here, unsent, retries). */
  handedOff: number;
  /** Shard messages enqueued. */
  shards: number;
  /** Of `handedOff`: recipients whose post failed for a passing reason, queued to retry. */
  retried: number;
  /** Recipients this invocation put in the dead-letter queue (counted, with their message). */
  deadLettered: number;
  /** The rest of a room went to the dead-letter queue as a cursor (its size unknown here). */
  deadLetteredRemainder: boolean;
  /** Dead-lettered (or attempted) recipients by reason, for the log line. */
  deadLetterReasons: Record<string, number>;
  /** Recipients the queue refused, so this invocation posted them itself. */
  postedInline: number;
  /** SendMessageBatch calls made again after SQS refused entries. */
  handOffRetries: number;
  /**
   * Recipients this invocation could neither reach, hand off nor dead-letter; nobody will
   * deliver to them.
   */
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
  /** The error name of a first read of the room that failed (the cursor went to the queue). */
  readFailed?: string;
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
  'deadLettered',
  'postedInline',
  'handOffRetries',
  'lost',
  'listed',
  'pages',
] as const satisfies readonly (keyof FanoutReport)[];

/** What can be added to a report: one broadcast's result, or another report. */
export type FanoutCounts = Partial<
  Pick<
    FanoutReport,
    | (typeof SUMMED_COUNTS)[number]
    | 'lostListRemainder'
    | 'lastDeliveredAt'
    | 'deadLetteredRemainder'
    | 'deadLetterReasons'
  >
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
    deadLettered: 0,
    deadLetteredRemainder: false,
    deadLetterReasons: {},
    postedInline: 0,
    handOffRetries: 0,
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
  if (counts.deadLetteredRemainder === true) report.deadLetteredRemainder = true;
  for (const [reason, count] of Object.entries(counts.deadLetterReasons ?? {})) {
    report.deadLetterReasons[reason] = (report.deadLetterReasons[reason] ?? 0) + count;
  }
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
  const run: FanoutRun = {
    job,
    deps,
    report: emptyFanoutReport(),
    queueRefused: false,
    // A shard or a retry from the queue is part of a larger broadcast; a presence update is whole.
    wholeBroadcastHere:
      job.recipients === undefined ? job.cursor?.after === undefined : job.message === undefined,
  };
  if (job.recipients !== undefined) await postHere(run, job.recipients, job.attempt);
  else await fanOutFromCursor(run, job.cursor as RecipientCursor);
  return run.report;
}

/** One invocation's part of a broadcast while it runs: its job, what it needs, what it did. */
interface FanoutRun {
  readonly job: ShardJob;
  readonly deps: FanoutDeps;
  readonly report: FanoutReport;
  /** The queue refused a hand-off even after its retries: post here or dead-letter from now on. */
  queueRefused: boolean;
  /**
   * Whether this invocation posts the whole broadcast itself (a room that fits one page, read
   * from its start; a presence update). Only such a broadcast may go without a lease when it is
   * small: a page or a retry of a larger one is posted alongside others, and takes its share of
   * the budget whatever its size.
   */
  wholeBroadcastHere: boolean;
}

/**
 * A cursor job: reads the list from the cursor, posts the first page here and hands every
 * further page off as soon as it is read, so other invocations post while this one still reads.
 */
async function fanOutFromCursor(run: FanoutRun, cursor: RecipientCursor): Promise<void> {
  const pages = readRecipientPages(run, cursor);
  const fromStart = cursor.after === undefined;
  let first: IteratorResult<RecipientPage>;
  try {
    first = await pages.next();
  } catch (error) {
    // Nothing was sent. A message is never answered with "try again": another invocation
    // reads the room (or, at worst, the dead-letter queue keeps it).
    if (run.job.message === undefined) throw error;
    run.report.readFailed = errorName(error);
    await handOff(run, [run.job]);
    return;
  }
  if (first.done) return;
  if (first.value.next !== undefined) run.wholeBroadcastHere = false;
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
 * Posts to recipients here, then settles what is left: recipients the deadline left unsent go
 * to another invocation (not an attempt); those whose post failed for a passing reason are
 * retried later (an attempt); those refused for good are dead-lettered.
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
    leased: recipients.length > SMALL_BROADCAST || !run.wholeBroadcastHere,
    sleep: deps.sleep,
  });
  addCounts(run.report, result);
  const progress = result.delivered + result.gone + result.failed + result.retry.length > 0;
  if (run.job.message !== undefined && windowEnded(run) && !progress && result.unsent.length > 0) {
    // Past the window and no post got through at all: stop handing these on.
    await deadLetter(run, jobsFor(run, result.unsent, attempt), 'window_ended');
  } else {
    await handOff(run, jobsFor(run, result.unsent, attempt));
  }
  await retryLater(run, result.retry, attempt);
  if (run.job.message !== undefined && result.rejected.length > 0) {
    await deadLetter(run, jobsFor(run, result.rejected, attempt), 'rejected');
  }
}

/**
 * Hands recipients whose post failed for a passing reason to a later attempt, with exponential
 * backoff and jitter, until the message's delivery window ends; then, or for a record redriven
 * from the dead-letter queue, they are dead-lettered. A job of no message (presence, a record
 * from before) keeps the old rule: up to MAX_ATTEMPTS, then counted as failed.
 */
async function retryLater(
  run: FanoutRun,
  recipients: readonly string[],
  attempt: number,
): Promise<void> {
  if (recipients.length === 0) return;
  const { report, job, deps } = run;
  if (job.message === undefined) {
    if (attempt >= MAX_ATTEMPTS || deps.queue === undefined) {
      report.failed += recipients.length;
      return;
    }
    const before = report.handedOff;
    await handOff(run, jobsFor(run, recipients, attempt + 1), LEGACY_RETRY_DELAY_SECONDS * attempt);
    report.retried += report.handedOff - before;
    return;
  }
  if (job.deadLetter !== undefined) {
    await deadLetter(run, jobsFor(run, recipients, attempt), 'redrive_failed');
    return;
  }
  if (windowEnded(run)) {
    await deadLetter(run, jobsFor(run, recipients, attempt), 'window_ended');
    return;
  }
  const before = report.handedOff;
  await handOff(run, jobsFor(run, recipients, attempt + 1), retryDelaySeconds(run, attempt));
  report.retried += report.handedOff - before;
}

/**
 * Seconds before attempt `attempt + 1`: 1, 2, 4, 8, 16, 16… with equal jitter (between half and
 * all of it), never past the end of the message's window, and at least 1.
 */
function retryDelaySeconds(run: FanoutRun, attempt: number): number {
  const base = Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** (attempt - 1));
  const jittered = Math.round(base * (0.5 + run.deps.random() * 0.5));
  const windowLeft = Math.ceil((windowEndsAt(run) - run.deps.now().getTime()) / 1000);
  return Math.max(1, Math.min(jittered, windowLeft));
}

/**
 * Enqueues jobs for other invocations and counts them. Entries SQS refuses are sent again with
 * backoff while the deadline allows. What still fails, for a message: a retry goes to the
 * dead-letter queue (posting it now would skip its backoff); anything else is posted here, as far
 * as the deadline allows, and the rest dead-lettered. For a best-effort job it is lost.
 */
async function handOff(run: FanoutRun, jobs: readonly ShardJob[], delaySeconds = 0): Promise<void> {
  if (jobs.length === 0) return;
  const { report } = run;
  const refused = run.queueRefused ? [...jobs] : await enqueueWithBackoff(run, jobs, delaySeconds);
  const sent = jobs.filter((candidate) => !refused.includes(candidate));
  report.shards += sent.length;
  report.handedOff += recipientCount(sent);
  if (refused.length === 0) return;
  if (run.job.message === undefined) {
    report.lost += recipientCount(refused);
    if (refused.some((candidate) => candidate.cursor !== undefined))
      report.lostListRemainder = true;
    return;
  }
  run.queueRefused = true;
  if (delaySeconds > 0 || pastDeadline(run.deps)) {
    await deadLetter(run, refused, 'handoff_failed');
    return;
  }
  for (const job of refused) {
    report.postedInline += recipientCount([job]);
    if (job.recipients !== undefined) await postHere(run, job.recipients, job.attempt);
    else await postCursorHere(run, job);
  }
}

/** SendMessageBatch with backoff: what SQS still refuses when the deadline allows no more. */
async function enqueueWithBackoff(
  run: FanoutRun,
  jobs: readonly ShardJob[],
  delaySeconds: number,
): Promise<ShardJob[]> {
  const { queue } = run.deps;
  if (queue === undefined) return [...jobs];
  let pending = await queue.enqueue(jobs, delaySeconds);
  for (let round = 1; round < HANDOFF_ROUNDS && pending.length > 0; round++) {
    const wait = HANDOFF_BACKOFF_MS * 2 ** (round - 1) * (0.5 + run.deps.random() * 0.5);
    if (run.deps.remainingTimeMs() - wait < HANDOFF_RETRY_FLOOR_MS) break;
    await run.deps.sleep(wait);
    run.report.handOffRetries++;
    pending = await queue.enqueue(pending, delaySeconds);
  }
  return pending;
}

/**
 * The rest of a room nobody else could take: read and posted here page by page, as far as the
 * deadline allows; the rest is dead-lettered as a cursor.
 */
async function postCursorHere(run: FanoutRun, job: ShardJob): Promise<void> {
  const cursor = job.cursor as RecipientCursor;
  const pages = readRecipientPages(run, cursor);
  let after = cursor.after;
  while (true) {
    if (pastDeadline(run.deps)) {
      await deadLetter(run, [continuationOf(run.job, cursor.room, after)], 'handoff_failed');
      return;
    }
    let page: IteratorResult<RecipientPage>;
    try {
      page = await pages.next();
    } catch {
      await deadLetter(run, [continuationOf(run.job, cursor.room, after)], 'read_failed');
      return;
    }
    if (page.done) return;
    await postHere(run, recipientsOf(run, page.value), job.attempt);
    after = page.value.next;
    if (after === undefined) return;
  }
}

/**
 * Puts jobs in the dead-letter queue and counts them; what it refuses (everything, without one)
 * is lost, and counted so.
 */
async function deadLetter(
  run: FanoutRun,
  jobs: readonly ShardJob[],
  reason: string,
): Promise<void> {
  if (jobs.length === 0) return;
  const { report, deps } = run;
  const refused =
    deps.deadLetters === undefined ? [...jobs] : await deps.deadLetters.put(jobs, reason);
  const kept = jobs.filter((candidate) => !refused.includes(candidate));
  report.deadLettered += recipientCount(kept);
  if (kept.some((candidate) => candidate.cursor !== undefined)) report.deadLetteredRemainder = true;
  report.deadLetterReasons[reason] = (report.deadLetterReasons[reason] ?? 0) + recipientCount(jobs);
  report.lost += recipientCount(refused);
  if (refused.some((candidate) => candidate.cursor !== undefined)) report.lostListRemainder = true;
}

/** When the run's message stops being retried (epoch ms). */
function windowEndsAt(run: FanoutRun): number {
  const acceptedAt = run.job.message?.acceptedAt ?? run.deps.now().getTime();
  return acceptedAt + run.deps.deliveryWindowMs;
}

function windowEnded(run: FanoutRun): boolean {
  return run.deps.now().getTime() >= windowEndsAt(run);
}

/** True once no new post may start: what is left must be handed off. */
function pastDeadline(deps: FanoutDeps): boolean {
  return deps.remainingTimeMs() < HANDOFF_MARGIN_MS;
}

/** Shards of recipients, with the job's endpoint and payload, at `attempt`. */
function jobsFor(run: FanoutRun, recipients: readonly string[], attempt: number): ShardJob[] {
  const { endpoint, payload, message, deadLetter: redriven } = run.job;
  return splitIntoJobs(recipients, run.deps.shardSize, {
    endpoint,
    payload,
    attempt,
    ...(message !== undefined && { message }),
    ...(redriven !== undefined && { deadLetter: redriven }),
  });
}

/** The rest of the room's list, after `after`, for another invocation to read. */
function continuationOf(
  job: ShardJob,
  room: string,
  after: Readonly<Record<string, unknown>> | undefined,
): ShardJob {
  return {
    endpoint: job.endpoint,
    payload: job.payload,
    attempt: job.attempt,
    cursor: after === undefined ? { room } : { room, after },
    ...(job.exclude !== undefined && { exclude: job.exclude }),
    ...(job.message !== undefined && { message: job.message }),
    ...(job.deadLetter !== undefined && { deadLetter: job.deadLetter }),
  };
}
