/**
 * A broadcast shard: the work one invocation hands to another through the queue. It is either a
 * list of recipients to post to, or a cursor into the connection list to continue reading from
 * (when the invocation that was reading ran short of time). Pure: parsing, validation and
 * splitting, so every rule is unit-tested without a queue.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };

/** Where to continue reading recipients: a room, and the store's key of the last item read. */
export interface RecipientCursor {
  readonly room: string;
  /** The store's exclusive start key; absent means "from the beginning". */
  readonly after?: Readonly<Record<string, unknown>>;
}

/** One unit of broadcast work. */
export interface ShardJob {
  /** The management API endpoint (`https://{domain}/{stage}`) to post to. */
  readonly endpoint: string;
  /** The serialised event every recipient gets, byte for byte the same. */
  readonly payload: string;
  /** 1 for the first attempt; a retry of recipients whose post failed counts up. */
  readonly attempt: number;
  /** Recipients to post to (exactly one of `recipients` and `cursor`). */
  readonly recipients?: readonly string[];
  /** Where to continue reading recipients (exactly one of `recipients` and `cursor`). */
  readonly cursor?: RecipientCursor;
  /** A connection left out while reading (the sender, who gets no echo). */
  readonly exclude?: string;
  /**
   * The chat message this job delivers: its recipients are retried until its delivery window
   * ends, then dead-lettered. Absent: a best-effort frame (presence), or a record from before.
   */
  readonly message?: MessageRef;
  /**
   * Set on a record the function itself put in the dead-letter queue: why. Redriven from there,
   * the record gets one more attempt per recipient; what fails again goes back to it.
   */
  readonly deadLetter?: { readonly reason: string };
}

/** Which message a job delivers, and since when. */
export interface MessageRef {
  readonly id: string;
  /** The room's serial of the message, when known. */
  readonly seq?: number;
  readonly room: string;
  /** When the message was accepted (epoch ms): its delivery window starts then. */
  readonly acceptedAt: number;
}

/** The wire format's version; a record of another version is dropped, not retried. */
const VERSION = 1;
/** Attempts per recipient before a passing failure (429, 5xx, network) counts as failed. */
export const MAX_ATTEMPTS = 3;
/** Far more than any shard holds; protects the worker from a record it cannot handle. */
const MAX_RECIPIENTS = 10_000;

/**
 * Serialises a job as a queue message body.
 * @param job - the job
 * @returns JSON with the format's version
 */
export function serializeShardJob(job: ShardJob): string {
  return JSON.stringify({ v: VERSION, ...job });
}

/** A parsed queue record: the job, or why it cannot be one. */
export type ParsedShardJob =
  | { readonly ok: true; readonly job: ShardJob }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads and validates a queue message body. A malformed body can never become valid by being
 * retried, so the caller drops it (and logs the reason) instead of failing the record.
 * @param body - the SQS record's body
 * @returns the job, or the reason it is malformed
 */
export function parseShardJob(body: string): ParsedShardJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return malformed('not JSON');
  }
  if (!isObject(value)) return malformed('not an object');
  if (value.v !== VERSION) return malformed('unknown version');
  const { endpoint, payload, attempt, recipients, cursor, exclude, message, deadLetter } = value;
  if (typeof endpoint !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(endpoint)) {
    return malformed('bad endpoint');
  }
  if (
    typeof payload !== 'string' ||
    Buffer.byteLength(payload) > contract.apiGateway.maxMessageBytes
  ) {
    return malformed('bad payload');
  }
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
    return malformed('bad attempt');
  }
  if (exclude !== undefined && typeof exclude !== 'string') return malformed('bad exclude');
  if ((recipients === undefined) === (cursor === undefined)) {
    return malformed('needs exactly one of recipients and cursor');
  }
  if (message !== undefined && !isMessageRef(message)) return malformed('bad message');
  if (
    deadLetter !== undefined &&
    (!isObject(deadLetter) ||
      typeof deadLetter.reason !== 'string' ||
      deadLetter.reason.length > 200)
  ) {
    return malformed('bad deadLetter');
  }
  const base = {
    endpoint,
    payload,
    attempt,
    ...(exclude !== undefined && { exclude }),
    ...(message !== undefined && { message: message as MessageRef }),
    ...(deadLetter !== undefined && { deadLetter: { reason: deadLetter.reason as string } }),
  };
  if (recipients !== undefined) {
    if (
      !Array.isArray(recipients) ||
      recipients.length > MAX_RECIPIENTS ||
      !recipients.every((id) => typeof id === 'string' && id !== '' && id.length <= 128)
    ) {
      return malformed('bad recipients');
    }
    return { ok: true, job: { ...base, recipients: recipients as string[] } };
  }
  if (
    !isObject(cursor) ||
    typeof cursor.room !== 'string' ||
    cursor.room === '' ||
    (cursor.after !== undefined && !isObject(cursor.after))
  ) {
    return malformed('bad cursor');
  }
  return { ok: true, job: { ...base, cursor: cursor as unknown as RecipientCursor } };
}

/**
 * Splits recipients into jobs of at most `size` recipients each.
 * @param recipients - the connection ids
 * @param size - the most recipients per job
 * @param template - the job's other fields
 * @returns the jobs, in order
 */
export function splitIntoJobs(
  recipients: readonly string[],
  size: number,
  template: Omit<ShardJob, 'recipients' | 'cursor' | 'exclude' | 'deadLetter'> &
    Pick<ShardJob, 'deadLetter'>,
): ShardJob[] {
  const jobs: ShardJob[] = [];
  for (let start = 0; start < recipients.length; start += size) {
    jobs.push({ ...template, recipients: recipients.slice(start, start + size) });
  }
  return jobs;
}

/**
 * How many recipients a set of jobs covers (a cursor job counts as none: its size is unknown).
 * @param jobs - the jobs
 * @returns the number of recipients listed
 */
export function recipientCount(jobs: readonly ShardJob[]): number {
  return jobs.reduce((sum, job) => sum + (job.recipients?.length ?? 0), 0);
}

function isMessageRef(value: unknown): value is MessageRef {
  if (!isObject(value)) return false;
  const { id, seq, room, acceptedAt } = value;
  return (
    typeof id === 'string' &&
    id !== '' &&
    id.length <= 64 &&
    typeof room === 'string' &&
    room !== '' &&
    (seq === undefined || (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0)) &&
    typeof acceptedAt === 'number' &&
    Number.isFinite(acceptedAt)
  );
}

function malformed(reason: string): ParsedShardJob {
  return { ok: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
