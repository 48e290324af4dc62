/**
 * The fan-out's queues as a test (or an operator) sees them, through the real SQS client: how
 * much the shard queue still holds, what the dead-letter queue kept, and a redrive of it back to
 * the shard queue, as SQS's StartMessageMoveTask would do (the local SQS has no move tasks, so
 * the records are received, sent to the shard queue as they are, and deleted). Also the function's
 * log lines, collected from the stack's output, and the moment a broadcast is over.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { onTestFailed } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS } from '../../src/dynamodb.ts';
import type { LocalStack } from '../../src/stack.ts';
import { waitUntil } from './chat-clients.ts';

type QueueStack = Pick<
  LocalStack,
  'sqsEndpoint' | 'region' | 'shardQueueUrl' | 'deadLetterQueueUrl' | 'metrics'
>;

/** A record the function put in the dead-letter queue, as its body says. */
export interface DeadLetterRecord {
  /** The body as it was kept: a shard job, redriven as it is. */
  readonly body: string;
  readonly recipients?: readonly string[];
  readonly cursor?: { readonly room: string };
  readonly message?: { readonly id: string; readonly seq?: number; readonly room: string };
  readonly deadLetter?: { readonly reason: string };
}

/** The real SQS client for a stack's queues; `destroy()` it when done. */
export function sqsClient(stack: Pick<LocalStack, 'sqsEndpoint' | 'region'>): SQSClient {
  return new SQSClient({
    endpoint: stack.sqsEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
}

/**
 * Every message a queue holds: waiting, being worked on (received, not yet deleted) and delayed.
 * @param stack - the stack
 * @param queueUrl - the queue
 * @returns their number
 */
export async function messagesIn(
  stack: Pick<LocalStack, 'sqsEndpoint' | 'region'>,
  queueUrl: string,
): Promise<number> {
  const sqs = sqsClient(stack);
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed)
    );
  } finally {
    sqs.destroy();
  }
}

/**
 * Waits until the broadcasts of `accepted` messages are over: every accepting invocation has
 * ended (each counts its message in `MessagesAccepted` when it ends, after its hand-offs) and the
 * shard queue holds nothing, waiting, in flight or delayed (a shard worker hands its retries off
 * before its record is deleted). After that, nothing more of them is posted.
 * @param stack - the stack
 * @param accepted - messages accepted since the metrics started
 */
export async function broadcastsOver(stack: QueueStack, accepted: number): Promise<void> {
  const acceptedName = contract.metrics.names.messagesAccepted;
  await waitUntil(
    () => (stack.metrics().sums[acceptedName] ?? 0) >= accepted,
    `${accepted} accepted messages`,
  );
  await waitUntil(
    async () => (await messagesIn(stack, stack.shardQueueUrl)) === 0,
    'an empty shard queue',
    120_000,
  );
}

/**
 * Takes every record out of the dead-letter queue (received and deleted).
 * @param stack - the stack
 * @returns the records, parsed
 */
export async function takeDeadLetters(stack: QueueStack): Promise<DeadLetterRecord[]> {
  const sqs = sqsClient(stack);
  const records: DeadLetterRecord[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
        }),
      );
      if (Messages.length === 0) return records;
      for (const message of Messages) {
        const body = message.Body ?? '';
        records.push({ ...(JSON.parse(body) as Omit<DeadLetterRecord, 'body'>), body });
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: stack.deadLetterQueueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
      }
    }
  } finally {
    sqs.destroy();
  }
}

/**
 * Sends dead-lettered records back to the shard queue as they are: a redrive.
 * @param stack - the stack
 * @param records - records taken from the dead-letter queue
 */
export async function redrive(
  stack: QueueStack,
  records: readonly DeadLetterRecord[],
): Promise<void> {
  const sqs = sqsClient(stack);
  try {
    for (const record of records) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: stack.shardQueueUrl, MessageBody: record.body }),
      );
    }
  } finally {
    sqs.destroy();
  }
}

/** The recipients a set of dead-lettered records names (cursors name none). */
export function recipientsOf(records: readonly DeadLetterRecord[]): string[] {
  return records.flatMap((record) => record.recipients ?? []);
}

/** One of the function's structured log lines. */
export interface FunctionLogLine {
  readonly level?: string;
  readonly route?: string;
  readonly outcome?: string;
  readonly [field: string]: unknown;
}

/** Collects the stack's output: pass `log` as the stack's `log` option. */
export class StackOutput {
  readonly lines: string[] = [];
  readonly log = (line: string): void => {
    this.lines.push(line);
  };

  /**
   * Prints the last lines of the stack's output when the test fails: what the function and the
   * stack did just before, to tell a fault path that broke from a machine that was slow. Call it
   * in the test, or in a `beforeEach` with that hook's own `onTestFailed`.
   * @param onFailure - vitest's `onTestFailed`
   * @param lines - how many
   */
  printTailIfTheTestFails(onFailure = onTestFailed, lines = 80): void {
    onFailure(() => {
      console.log(this.lines.slice(-lines).join('\n'));
    });
  }

  /**
   * The function's own log lines (one JSON object each), in order.
   * @param from - skip the lines before this index (what `lines.length` was when a test began)
   */
  functionLog(from = 0): FunctionLogLine[] {
    return this.lines.slice(from).flatMap((line) => {
      if (!line.startsWith('{') || line.includes('"_aws"')) return [];
      try {
        return [JSON.parse(line) as FunctionLogLine];
      } catch {
        return [];
      }
    });
  }
}
