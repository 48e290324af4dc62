/**
 * A stand-in for API Gateway's `@connections` management API that answers every POST after a set
 * round trip, as a real PostToConnection takes one, and keeps what the broadcast benchmarks need
 * to judge a broadcast: how many recipients got each message, how many got it twice, when the
 * first and the last one got it, and the other frames the function posted (acks, delivery
 * reports). On AWS the management API runs on other machines, so it runs in a child process (this
 * module is that child) instead of competing with the broadcaster for one event loop.
 *
 * Behind the round trip it is the local stack's own `@connections` API (connections-api.ts), with
 * the stack's own account callback budget (`--callback-rate`'s token bucket, burst half the rate)
 * and post faults (`stack.faults.failPosts`), so a throttled or failed post is answered here
 * exactly as the local stack answers it; only the recipients are not sockets but counters.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import {
  type CallbackBudget,
  createCallbackBudget,
} from '../../../local-stack/src/callback-budget.ts';
import { createConnectionsApi } from '../../../local-stack/src/connections-api.ts';
import { type FailPostsOptions, PostFaults } from '../../../local-stack/src/faults/post-faults.ts';
import { numberArgument, runAsChild, startChild } from '../common/child-process.ts';
import { jsonFields } from '../load/chat-event.ts';

/** A frame the function posted that is not a chat message: an ack, a delivery report, an error. */
export interface PostedFrame {
  readonly connectionId: string;
  /** The frame's JSON fields (`type`, `clientId`, `unreached`…). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What the endpoint saw since its last reset. */
export interface EndpointCounters {
  /** Posts answered 200. */
  readonly calls: number;
  /** Distinct (recipient, message id) pairs of chat messages: deliveries a page would show. */
  readonly delivered: number;
  /** Posts of a message id to a recipient that already had it (a page drops them). */
  readonly duplicates: number;
  /** Epoch ms of the first and the last chat message delivered, or 0. */
  readonly firstAt: number;
  readonly lastAt: number;
  /** Posts the account's callback budget refused with 429. */
  readonly refused: number;
  /** Posts an armed fault failed. */
  readonly failed: number;
  /** Frames other than chat messages, in the order posted (the first few hundred). */
  readonly frames: readonly PostedFrame[];
}

/** The endpoint, running in its own process. */
export interface SlowEndpoint {
  /** Base URL including the stage, as APIGW_ENDPOINT would be. */
  readonly endpoint: string;
  /** Zeroes the counters between two measurements. */
  resetCounters(): Promise<void>;
  readCounters(): Promise<EndpointCounters>;
  /**
   * Puts the account's callback budget in front of the posts (`--callback-rate N` of the local
   * stack: N posts a second, burst N/2), or takes it away with `undefined`.
   */
  limitRate(postsPerSecond: number | undefined): Promise<void>;
  /** Arms a post fault, as `stack.faults.failPosts` does on the local stack. */
  failPosts(options: FailPostsOptions): Promise<void>;
  /** Disarms every post fault. */
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

/** Frames other than chat messages kept per reset: acks and reports, never thousands. */
const MAX_FRAMES = 500;

/**
 * Starts the endpoint in a child process on 127.0.0.1.
 * @param roundTripMs - how long every POST takes to answer
 * @returns the endpoint's URL and its counters
 */
export async function startSlowEndpoint(roundTripMs: number): Promise<SlowEndpoint> {
  const child = await startChild({
    module: import.meta.url,
    args: [String(roundTripMs)],
    name: 'the slow management endpoint',
  });
  return {
    endpoint: String(child.ready.endpoint),
    resetCounters: async () => {
      await child.request('reset');
    },
    readCounters: () => child.request<EndpointCounters>('counters'),
    limitRate: async (postsPerSecond) => {
      await child.request('limitRate', postsPerSecond === undefined ? {} : { postsPerSecond });
    },
    failPosts: async (options) => {
      await child.request('failPosts', { ...options });
    },
    clearFaults: async () => {
      await child.request('clearFaults');
    },
    stop: () => child.stop(),
  };
}

runAsChild(import.meta.url, 'slow management endpoint', async (args) => {
  const roundTripMs = numberArgument(args[0], 'the round trip in ms', 0);
  let calls = 0;
  let duplicates = 0;
  let firstAt = 0;
  let lastAt = 0;
  let frames: PostedFrame[] = [];
  const seen = new Set<string>();
  let budget: CallbackBudget = createCallbackBudget(undefined);
  // Refusals of the budgets replaced so far, and the total when the counters were last reset.
  let refusedByEarlierBudgets = 0;
  let refusedAtReset = 0;
  const refusedInAll = (): number => refusedByEarlierBudgets + budget.refused;
  let failed = 0;
  const postFaults = new PostFaults();
  const connectionsApi = createConnectionsApi({
    stage: contract.stageName,
    gateway: {
      postToConnection: (connectionId, data) => {
        calls += 1;
        const body = data.toString('utf8');
        const fields = jsonFields(body);
        if (fields.type === 'message') {
          const now = Date.now();
          firstAt ||= now;
          lastAt = now;
          const key = `${connectionId} ${String(fields.id)}`;
          if (seen.has(key)) duplicates += 1;
          else seen.add(key);
        } else if (frames.length < MAX_FRAMES) {
          frames.push({ connectionId, fields });
        }
        return 'sent';
      },
      getConnection: () => undefined,
      deleteConnection: () => false,
    },
    budget: { admit: () => budget.admit() },
    postFaults: {
      failureFor: (connectionId) => {
        const failure = postFaults.failureFor(connectionId);
        if (failure !== undefined) failed += 1;
        return failure;
      },
    },
  });
  // The round trip comes first: the request waits, unread, then is answered as the stack would.
  const server = createServer((request, response) => {
    setTimeout(() => connectionsApi(request, response), roundTripMs);
  });
  // Thousands of calls reuse a few hundred sockets; a long keep-alive avoids reconnect churn.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    ready: { endpoint: `http://127.0.0.1:${port}/${contract.stageName}` },
    answers: {
      reset: () => {
        calls = 0;
        duplicates = 0;
        firstAt = 0;
        lastAt = 0;
        failed = 0;
        frames = [];
        refusedAtReset = refusedInAll();
        seen.clear();
        return {};
      },
      counters: () => ({
        calls,
        delivered: seen.size,
        duplicates,
        firstAt,
        lastAt,
        refused: refusedInAll() - refusedAtReset,
        failed,
        frames,
      }),
      limitRate: (argument) => {
        const rate = argument.postsPerSecond;
        refusedByEarlierBudgets += budget.refused;
        budget = createCallbackBudget(rate === undefined ? undefined : Number(rate));
        return {};
      },
      failPosts: (argument) => {
        postFaults.add(argument as FailPostsOptions);
        return {};
      },
      clearFaults: () => {
        postFaults.clear();
        return {};
      },
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
