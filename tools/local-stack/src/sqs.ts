/**
 * The local stand-in for Amazon SQS: standard queues in memory, with what the broadcast relies on
 * (visibility timeout, receive counts, redrive to a dead-letter queue, delays, retention), served
 * over SQS's JSON protocol so the function's own `@aws-sdk/client-sqs` reaches it through
 * AWS_ENDPOINT_URL_SQS, and used in process by the event source mapping
 * (event-source-mapping.ts), as Lambda's pollers use the real service.
 *
 * Why not an emulator from npm: the one that exists (sqslite) speaks only SQS's older query/XML
 * protocol, which current SDK clients no longer send, never makes a received message visible
 * again, and has no redrive; those are the behaviours a broadcast's retries depend on.
 *
 * Nothing here checks a signature, so like DynamoDB and `@connections` it answers this machine's
 * programs only: it listens on loopback, and refuses a request from any other peer or with a
 * browser's `Origin` header (403 AccessDeniedException), so no web page the developer opens can
 * forge a shard.
 *
 * Protocol: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { closeServer, listen } from './listen.ts';
import { isFromThisMachinesPrograms, urlHost } from './network.ts';

/** A queue's settings, as Terraform sets them on AWS. */
export interface QueueDefinition {
  readonly name: string;
  /** How long a received message stays hidden before SQS offers it again. */
  readonly visibilityTimeoutSeconds: number;
  /** How long an unreceived message is kept. */
  readonly retentionSeconds: number;
  /** Move a message to this queue once it has been received this many times. */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

/** A message as a receiver gets it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly receiveCount: number;
  readonly sentTimestamp: number;
  readonly firstReceiveTimestamp: number;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  receiptHandle: string | undefined;
}

/** SendMessageBatch and ReceiveMessage take at most 10 entries, as on AWS (contract.json). */
const MAX_BATCH = contract.sqs.maxBatchEntries;
/** The most bytes a message body may have (contract.json, as the function's batches keep to). */
const MAX_PAYLOAD_BYTES = contract.sqs.maxPayloadBytes;
const ACCOUNT_ID = '000000000000';

/** One standard queue. */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly #definition: QueueDefinition;
  readonly #messages = new Map<string, StoredMessage>();
  readonly #events = new EventEmitter();
  #deadLetterQueue: LocalQueue | undefined;

  constructor(definition: QueueDefinition, region: string) {
    this.#definition = definition;
    this.name = definition.name;
    this.arn = `arn:aws:sqs:${region}:${ACCOUNT_ID}:${definition.name}`;
    this.#events.setMaxListeners(0);
  }

  /** Connects the redrive target (both queues must exist first). */
  setDeadLetterQueue(queue: LocalQueue): void {
    this.#deadLetterQueue = queue;
  }

  /**
   * Adds a message.
   * @param body - the message body
   * @param delaySeconds - how long it stays hidden first
   * @returns its id and the body's MD5, which SDK clients check
   */
  send(body: string, delaySeconds = 0): { messageId: string; md5OfBody: string } {
    const now = Date.now();
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
      firstReceivedAt: undefined,
      receiptHandle: undefined,
    };
    this.#messages.set(message.messageId, message);
    this.#wake();
    return { messageId: message.messageId, md5OfBody: message.md5OfBody };
  }

  /**
   * Takes up to `max` visible messages and hides them for the visibility timeout. A message past
   * its last allowed receive moves to the dead-letter queue instead, as SQS's redrive does.
   * @param max - at most this many (1-10)
   * @param visibilityTimeoutSeconds - overrides the queue's for these messages
   * @returns the messages, possibly none
   */
  receive(max: number, visibilityTimeoutSeconds?: number): ReceivedMessage[] {
    const now = Date.now();
    const hideFor = (visibilityTimeoutSeconds ?? this.#definition.visibilityTimeoutSeconds) * 1000;
    const received: ReceivedMessage[] = [];
    for (const message of this.#messages.values()) {
      if (received.length >= max) break;
      if (now - message.sentAt > this.#definition.retentionSeconds * 1000) {
        this.#messages.delete(message.messageId);
        continue;
      }
      if (message.visibleAt > now) continue;
      const redrive = this.#definition.redrive;
      if (
        redrive !== undefined &&
        this.#deadLetterQueue !== undefined &&
        message.receiveCount >= redrive.maxReceiveCount
      ) {
        this.#messages.delete(message.messageId);
        this.#deadLetterQueue.send(message.body);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + hideFor;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        md5OfBody: message.md5OfBody,
        receiveCount: message.receiveCount,
        sentTimestamp: message.sentAt,
        firstReceiveTimestamp: message.firstReceivedAt,
      });
    }
    // Messages hidden or delayed now wake a waiting receiver when they become visible.
    if (received.length > 0 || this.#messages.size > 0) this.#scheduleWake();
    return received;
  }

  /**
   * Waits (long polling) until at least one message is visible, up to `waitMs`.
   * @param waitMs - the longest wait
   * @param signal - ends the wait early
   */
  async waitForMessages(waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#visibleCount(Date.now()) > 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#events.off('wake', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.#events.on('wake', done);
      signal?.addEventListener('abort', done);
      this.#scheduleWake();
    });
  }

  /**
   * Deletes a received message; an old or unknown receipt handle is ignored, as on AWS.
   * @param receiptHandle - from the receive
   * @returns whether a message was deleted
   */
  delete(receiptHandle: string): boolean {
    const messageId = receiptHandle.split('#')[0] ?? '';
    const message = this.#messages.get(messageId);
    if (message?.receiptHandle !== receiptHandle) return false;
    return this.#messages.delete(messageId);
  }

  /**
   * Changes how long a received message stays hidden (0 offers it again at once).
   * @param receiptHandle - from the receive
   * @param seconds - the new visibility timeout, from now
   */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.#messages.get(receiptHandle.split('#')[0] ?? '');
    if (message?.receiptHandle !== receiptHandle) return;
    message.visibleAt = Date.now() + seconds * 1000;
    this.#wake();
  }

  /** SQS's approximate counts: visible, in flight (received, hidden) and delayed. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = Date.now();
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.#messages.values()) {
      if (message.visibleAt <= now) continue;
      if (message.receiptHandle === undefined) delayed++;
      else inFlight++;
    }
    return { visible: this.#messages.size - inFlight - delayed, inFlight, delayed };
  }

  /** Deletes every message. */
  purge(): void {
    this.#messages.clear();
  }

  #visibleCount(now: number): number {
    let visible = 0;
    for (const message of this.#messages.values()) if (message.visibleAt <= now) visible++;
    return visible;
  }

  #wakeTimer: NodeJS.Timeout | undefined;

  #scheduleWake(): void {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const message of this.#messages.values()) {
      if (message.visibleAt > now) next = Math.min(next, message.visibleAt);
    }
    clearTimeout(this.#wakeTimer);
    if (next !== Number.POSITIVE_INFINITY) {
      this.#wakeTimer = setTimeout(() => this.#wake(), next - now).unref();
    }
  }

  #wake(): void {
    this.#events.emit('wake');
  }
}

/** A running local SQS. */
export interface LocalSqs {
  /** For `AWS_ENDPOINT_URL_SQS` or a client's `endpoint`, e.g. `http://127.0.0.1:9324`. */
  readonly endpoint: string;
  /** A queue by name. */
  queue(name: string): LocalQueue;
  /** The URL SDK calls name a queue by. */
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

/** Where and what to run. */
export interface LocalSqsOptions {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly queues: readonly QueueDefinition[];
  /**
   * Whether to fail one entry sent through the API (SendMessage, SendMessageBatch): tests inject
   * SQS failures with it (stack.faults.failShardSends). Default: never.
   */
  readonly refuseSend?: SendGuard;
}

/** Decides whether SQS fails an entry sent to `queueName` with `body`. */
export type SendGuard = (queueName: string, body: string) => boolean;

/** SQS's own words for a failure on its side (the InternalError code). */
const INTERNAL_ERROR_MESSAGE = 'We encountered an internal error. Please try again.';

/**
 * Creates the queues and serves SQS's JSON protocol.
 * @param options - host, port, region and queues
 * @returns the running service
 * @throws PortInUseError when the port is taken
 */
export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  const queues = new Map<string, LocalQueue>();
  for (const definition of options.queues) {
    queues.set(definition.name, new LocalQueue(definition, options.region));
  }
  for (const definition of options.queues) {
    const target = definition.redrive && queues.get(definition.redrive.deadLetterQueue);
    if (definition.redrive !== undefined && target === undefined) {
      throw new Error(
        `Queue ${definition.name}: no dead-letter queue ${definition.redrive.deadLetterQueue}`,
      );
    }
    if (target) queues.get(definition.name)?.setDeadLetterQueue(target);
  }
  const refuseSend = options.refuseSend ?? ((): boolean => false);
  const server = createServer((request, response) => {
    void serveJsonProtocol(request, response, queues, refuseSend);
  });
  const port = await listen(server, options.host, options.port, '--sqs-port');
  const endpoint = `http://${urlHost(options.host)}:${port}`;
  return {
    endpoint,
    queue(name) {
      const queue = queues.get(name);
      if (queue === undefined) throw new Error(`No local queue ${name}`);
      return queue;
    },
    queueUrl: (name) => `${endpoint}/${ACCOUNT_ID}/${name}`,
    stop: () => closeServer(server),
  };
}

/** An SQS error in the JSON protocol's shape. */
class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Action = (
  input: Record<string, unknown>,
  queues: ReadonlyMap<string, LocalQueue>,
  origin: string,
  refuseSend: SendGuard,
) => object;

/** The actions a client of this stack calls; anything else answers UnsupportedOperation. */
const ACTIONS: Readonly<Record<string, Action>> = {
  SendMessage(input, queues, _origin, refuseSend) {
    const queue = queueOf(input, queues);
    const body = bodyOf(input.MessageBody);
    const delay = delayOf(input.DelaySeconds);
    if (refuseSend(queue.name, body))
      throw new SqsError('InternalError', INTERNAL_ERROR_MESSAGE, 500);
    const sent = queue.send(body, delay);
    return { MessageId: sent.messageId, MD5OfMessageBody: sent.md5OfBody };
  },
  SendMessageBatch(input, queues, _origin, refuseSend) {
    const queue = queueOf(input, queues);
    const entries = entriesOf(input).map((entry) => ({
      id: entry.Id,
      body: bodyOf(entry.MessageBody),
      delay: delayOf(entry.DelaySeconds),
    }));
    const successful: object[] = [];
    const failed: object[] = [];
    // Entries fail one by one, as SQS reports a batch's partial failure: the request succeeds.
    for (const entry of entries) {
      if (refuseSend(queue.name, entry.body)) {
        failed.push({
          Id: entry.id,
          SenderFault: false,
          Code: 'InternalError',
          Message: INTERNAL_ERROR_MESSAGE,
        });
        continue;
      }
      const sent = queue.send(entry.body, entry.delay);
      successful.push({
        Id: entry.id,
        MessageId: sent.messageId,
        MD5OfMessageBody: sent.md5OfBody,
      });
    }
    return { Successful: successful, Failed: failed };
  },
  ReceiveMessage(input, queues) {
    const queue = queueOf(input, queues);
    const max = typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1;
    if (!Number.isInteger(max) || max < 1 || max > MAX_BATCH) {
      throw new SqsError(
        'InvalidParameterValue',
        `MaxNumberOfMessages must be from 1 to ${MAX_BATCH}.`,
      );
    }
    const visibility =
      typeof input.VisibilityTimeout === 'number' ? input.VisibilityTimeout : undefined;
    const messages = queue.receive(max, visibility).map((message) => ({
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      Attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
      },
    }));
    return messages.length === 0 ? {} : { Messages: messages };
  },
  DeleteMessage(input, queues) {
    queueOf(input, queues).delete(stringOf(input.ReceiptHandle, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch(input, queues) {
    const queue = queueOf(input, queues);
    const entries = entriesOf(input);
    for (const entry of entries) queue.delete(stringOf(entry.ReceiptHandle, 'ReceiptHandle'));
    return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
  },
  ChangeMessageVisibility(input, queues) {
    const seconds = input.VisibilityTimeout;
    if (typeof seconds !== 'number' || seconds < 0 || seconds > 43_200) {
      throw new SqsError('InvalidParameterValue', 'VisibilityTimeout must be from 0 to 43200.');
    }
    queueOf(input, queues).changeVisibility(
      stringOf(input.ReceiptHandle, 'ReceiptHandle'),
      seconds,
    );
    return {};
  },
  GetQueueUrl(input, queues, origin) {
    const name = stringOf(input.QueueName, 'QueueName');
    if (!queues.has(name)) throw nonExistentQueue();
    return { QueueUrl: `${origin}/${ACCOUNT_ID}/${name}` };
  },
  GetQueueAttributes(input, queues) {
    const queue = queueOf(input, queues);
    const counts = queue.counts();
    return {
      Attributes: {
        QueueArn: queue.arn,
        ApproximateNumberOfMessages: String(counts.visible),
        ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
        ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      },
    };
  },
  PurgeQueue(input, queues) {
    queueOf(input, queues).purge();
    return {};
  },
};

async function serveJsonProtocol(
  request: IncomingMessage,
  response: ServerResponse,
  queues: ReadonlyMap<string, LocalQueue>,
  refuseSend: SendGuard,
): Promise<void> {
  try {
    if (
      !isFromThisMachinesPrograms({
        remoteAddress: request.socket.remoteAddress,
        origin: request.headers.origin,
      })
    ) {
      request.resume();
      throw new SqsError(
        'AccessDeniedException',
        'The local SQS answers programs on this machine only (no web page, no other machine)',
        403,
      );
    }
    const target = request.headers['x-amz-target'];
    const action = typeof target === 'string' ? target.replace(/^AmazonSQS\./, '') : '';
    if (request.method !== 'POST' || !Object.hasOwn(ACTIONS, action)) {
      request.resume();
      throw new SqsError(
        'UnsupportedOperation',
        `Unsupported operation: ${action || request.method}`,
      );
    }
    const input = JSON.parse((await readBody(request)) || '{}') as unknown;
    if (typeof input !== 'object' || input === null) {
      throw new SqsError('InvalidParameterValue', 'The request body must be a JSON object.');
    }
    const origin = `http://${request.headers.host ?? 'localhost'}`;
    const output = (ACTIONS[action] as Action)(
      input as Record<string, unknown>,
      queues,
      origin,
      refuseSend,
    );
    send(response, 200, output);
  } catch (error) {
    const sqsError =
      error instanceof SqsError
        ? error
        : new SqsError('InternalError', 'The local SQS could not handle the request.', 500);
    send(response, sqsError.status, {
      __type: `com.amazonaws.sqs#${sqsError.type}`,
      message: sqsError.message,
    });
  }
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    })
    .end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function queueOf(
  input: Record<string, unknown>,
  queues: ReadonlyMap<string, LocalQueue>,
): LocalQueue {
  const url = stringOf(input.QueueUrl, 'QueueUrl');
  const queue = queues.get(url.split('/').at(-1) ?? '');
  if (queue === undefined) throw nonExistentQueue();
  return queue;
}

function entriesOf(input: Record<string, unknown>): Record<string, unknown>[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (entries.length > MAX_BATCH) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH}.`,
    );
  }
  return entries as Record<string, unknown>[];
}

function bodyOf(value: unknown): string {
  const body = stringOf(value, 'MessageBody');
  // SQS's limit was 256 KiB for most of its life; the function never sends more.
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) {
    throw new SqsError(
      'InvalidParameterValue',
      `MessageBody is longer than ${MAX_PAYLOAD_BYTES} bytes.`,
    );
  }
  return body;
}

function delayOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 900) {
    throw new SqsError('InvalidParameterValue', 'DelaySeconds must be from 0 to 900.');
  }
  return value;
}

function stringOf(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
}

function nonExistentQueue(): SqsError {
  return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
}
