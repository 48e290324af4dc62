/**
 * What the broadcast benchmarks (fan-out, pushback, faults) measure through: the real bundle on
 * the local stack, every container held to the CPU share Lambda gives the memory under test,
 * posting to the slow management endpoint; a room of recipients stored in DynamoDB as `$connect`
 * stores them; and a sender of protocol 3 (a client id on every message, as the page sends) that
 * sends one message at a time. The endpoint counts who got which message id, and when; the stack
 * says what the containers did and what the function's metrics added up to.
 */
import { createHash, randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebSocket } from 'ws';
import { expiresAtFor } from '../../../../backend/src/rooms/connection-store.ts';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { localDynamoDbClient } from '../../../local-stack/src/dynamodb.ts';
import { type LocalStack, startLocalStack } from '../../../local-stack/src/stack.ts';
import { openClient, sleep, waitFor } from '../common/clients.ts';
import type { EndpointCounters, SlowEndpoint } from './slow-endpoint.ts';

/** One broadcast, as the endpoint, the Lambda containers and the function's metrics saw it. */
export interface BroadcastRound {
  readonly delivered: number;
  readonly duplicates: number;
  /** From the sender's frame to the first and to the last chat message delivered. */
  readonly firstDeliveryMs: number;
  readonly lastDeliveryMs: number;
  readonly invocations: number;
  readonly timedOut: number;
  /** Invocations Lambda refused (TooManyRequestsException). */
  readonly throttled: number;
  /** Posts the account's callback budget refused with 429. */
  readonly refused: number;
  /** Posts an armed fault failed. */
  readonly failedPosts: number;
  /** The containers' CPU time per post, in milliseconds (reading and handing off included). */
  readonly cpuPerPostMs: number;
  /** Lambda's billed duration times the memory: what the broadcast costs in compute. */
  readonly gbSeconds: number;
  /** The function's metrics of the broadcast, summed by name (`Delivered`, `Retried`…). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The members a `delivery_incomplete` told the sender were not reached; undefined: none came. */
  readonly unreachedReported: number | undefined;
}

/** One setting: a warm-up broadcast (containers cold), then the measured ones. */
export interface BroadcastRun {
  readonly memoryMb: number;
  readonly recipients: number;
  /** How the containers ran: `256 MB at 0.14 vCPU (cgroup v1)` or why at full CPU. */
  readonly cpu: string;
  readonly cpuLimited: boolean;
  readonly warmUp: BroadcastRound;
  readonly rounds: readonly BroadcastRound[];
}

/** How one broadcast is waited for. */
export interface BroadcastWait {
  /** Recipients in the room besides the sender. */
  readonly recipients: number;
  /** What has not arrived by then counts as lost. */
  readonly timeoutMs: number;
  /** The broadcast is over once this holds; default: every recipient has the message. */
  readonly done?: (counters: EndpointCounters) => boolean;
  /** Runs just before the message is sent (a fault armed from the send on). */
  readonly beforeSend?: () => Promise<unknown>;
}

/** A stack, its room and its sender. */
export interface BroadcastRig {
  readonly stack: LocalStack;
  /** Stores recipients until the room holds `count` besides the sender. */
  fill(count: number): Promise<void>;
  /** Sends one message and measures its broadcast. */
  broadcast(wait: BroadcastWait): Promise<BroadcastRound>;
  /**
   * Fills the room to `wait.recipients`, then measures a warm-up broadcast and `rounds` more,
   * as far as `signal` lets it, reporting each measured one to `onRound`.
   */
  measure(
    wait: BroadcastWait,
    rounds: number,
    signal: AbortSignal,
    onRound?: (round: number) => void,
  ): Promise<BroadcastRun>;
  stop(): Promise<void>;
}

/** After the broadcast is over, how long to keep counting (late duplicates, last invocations). */
const AFTER_LAST_MS = 1000;
/** Messages of one sender at most this often stay inside its rate limit (2 a second). */
const SEND_INTERVAL_MS = 1000;
const ROOM = contract.limits.defaultRoom;
/** The slot of a room's own item, where its head count is (backend/src/rooms/room-store.ts). */
const ROOM_ITEM_SLOT = -1;

/**
 * Starts the stack at `memoryMb`, its containers at that memory's CPU share, posting to the
 * endpoint, and connects the sender.
 * @param options - the memory, the endpoint and the function's extra environment
 * @returns the rig, with an empty room
 */
export async function startBroadcastRig(options: {
  readonly memoryMb: number;
  readonly endpoint: SlowEndpoint;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<BroadcastRig> {
  const { memoryMb, endpoint } = options;
  const stack = await startLocalStack({
    memoryMb,
    limitCpu: true,
    env: { [contract.environment.apigwEndpoint]: endpoint.endpoint, ...options.env },
    log: () => {},
  });
  let sender: WebSocket;
  try {
    sender = await openClient(`${stack.websocketUrl}?room=${ROOM}&v=${contract.protocolVersion}`);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  let stored = 0;
  let lastSentAt = 0;
  const rig: BroadcastRig = {
    stack,
    async fill(count) {
      if (count > stored) stored = await storeRecipients(stack, stored, count);
    },
    async measure(wait, rounds, signal, onRound) {
      await rig.fill(wait.recipients);
      const warmUp = await rig.broadcast(wait);
      const measured: BroadcastRound[] = [];
      for (let round = 1; round <= rounds && !signal.aborted; round++) {
        onRound?.(round);
        measured.push(await rig.broadcast(wait));
      }
      return {
        memoryMb,
        recipients: wait.recipients,
        cpu: stack.cpuLimit.description,
        cpuLimited: stack.cpuLimit.applied,
        warmUp,
        rounds: measured,
      };
    },
    async broadcast(wait) {
      await sleep(lastSentAt + SEND_INTERVAL_MS - Date.now());
      await endpoint.resetCounters();
      stack.resetMetrics();
      const before = stack.lambdaStats();
      await wait.beforeSend?.();
      const sentAt = Date.now();
      lastSentAt = sentAt;
      sender.send(
        JSON.stringify({
          message: `broadcast bench ${sentAt}`,
          senderName: 'bench',
          clientId: randomUUID(),
        }),
      );
      const done = wait.done ?? ((counters) => counters.delivered >= wait.recipients);
      await waitFor(async () => done(await endpoint.readCounters()), wait.timeoutMs, 100);
      await sleep(AFTER_LAST_MS);
      const counters = await endpoint.readCounters();
      const after = stack.lambdaStats();
      const billedMs = after.billedMs - before.billedMs;
      const since = (at: number): number => (at === 0 ? Number.NaN : at - sentAt);
      const report = counters.frames.find((frame) => frame.fields.type === 'delivery_incomplete');
      return {
        delivered: counters.delivered,
        duplicates: counters.duplicates,
        firstDeliveryMs: since(counters.firstAt),
        lastDeliveryMs: since(counters.lastAt),
        invocations: after.invocations - before.invocations,
        timedOut: after.timedOut - before.timedOut,
        throttled: after.throttled - before.throttled,
        refused: counters.refused,
        failedPosts: counters.failed,
        cpuPerPostMs: (after.cpuMs - before.cpuMs) / Math.max(1, counters.calls),
        gbSeconds: ((billedMs / 1000) * memoryMb) / 1024,
        metrics: stack.metrics().sums,
        unreachedReported: report === undefined ? undefined : Number(report.fields.unreached),
      };
    },
    async stop() {
      sender.close();
      await stack.stop();
    },
  };
  return rig;
}

/**
 * Stores connection items for recipients `from`…`to` - 1 in the room, and counts them in on the
 * room's item, as `$connect` would.
 * @returns `to`
 */
async function storeRecipients(stack: LocalStack, from: number, to: number): Promise<number> {
  const client = DynamoDBDocumentClient.from(
    localDynamoDbClient(stack.dynamoEndpoint, stack.region),
  );
  const now = new Date();
  const items = fakeConnectionIds(to - from, `r${from}`).map((connectionId) => ({
    PutRequest: {
      Item: {
        [contract.table.partitionKey]: connectionId,
        [contract.table.roomAttribute]: ROOM,
        connectedAt: now.toISOString(),
        [contract.table.ttlAttribute]: expiresAtFor(now),
      },
    },
  }));
  try {
    for (let start = 0; start < items.length; start += 25) {
      await client.send(
        new BatchWriteCommand({
          RequestItems: { [stack.tableName]: items.slice(start, start + 25) },
        }),
      );
    }
    await client.send(
      new UpdateCommand({
        TableName: stack.roomsTableName,
        Key: {
          [contract.roomsTable.partitionKey]: ROOM,
          [contract.roomsTable.sortKey]: ROOM_ITEM_SLOT,
        },
        UpdateExpression: 'ADD members :joined, membersVersion :one',
        ExpressionAttributeValues: { ':joined': to - from, ':one': 1 },
      }),
    );
  } finally {
    client.destroy();
  }
  return to;
}

/**
 * Connection ids in API Gateway's format (16 characters of base64url ending in `=`), distinct
 * per prefix: 90 bits of a hash of the prefix and the index (the prefix and index themselves,
 * encoded, would not fit 15 characters once they pass 11 bytes).
 * @param count - how many
 * @param prefix - makes ids of different batches distinct
 * @returns the ids
 */
export function fakeConnectionIds(count: number, prefix: string): string[] {
  return Array.from(
    { length: count },
    (_, index) =>
      `${createHash('sha256').update(`${prefix}:${index}`).digest('base64url').slice(0, 15)}=`,
  );
}
