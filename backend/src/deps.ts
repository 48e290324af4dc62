/**
 * What the handler needs from outside, handed in by the Lambda entry point (handler.ts) and by
 * tests and benchmarks, so every route runs against real or stand-in adapters alike.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { People } from './access/people.ts';
import type { RateLimiter } from './access/rate-limiter.ts';
import type { CallbackBudget } from './broadcast/callback-budget.ts';
import type { DeadLetterQueue } from './broadcast/dead-letter-queue.ts';
import type { FanoutDeps } from './broadcast/fanout.ts';
import { HANDOFF_MARGIN_MS } from './broadcast/fanout.ts';
import type { Pacer } from './broadcast/pacer.ts';
import { createPacer, systemClock } from './broadcast/pacer.ts';
import type { PostToConnection } from './broadcast/poster.ts';
import type { ShardQueue } from './broadcast/shard-queue.ts';
import type { Config } from './config.ts';
import type { MetricsRecorder } from './metrics.ts';
import type { ConnectionStore } from './rooms/connection-store.ts';
import { forgetConnection } from './rooms/membership.ts';
import type { MessageClaims } from './rooms/message-claims.ts';
import type { OpenConnections } from './rooms/open-connections.ts';
import type { PresenceDeps } from './rooms/presence.ts';
import type { RoomStore } from './rooms/room-store.ts';

/** Fields of the invocation's log line. Never message text, never a secret. */
export interface InvocationLog {
  readonly level: 'info' | 'warn' | 'error';
  readonly route: string;
  readonly connectionId: string | undefined;
  readonly requestId: string | undefined;
  readonly outcome: string;
  readonly durationMs: number;
  readonly [detail: string]: unknown;
}

/** Everything the handler needs from outside; tests and benchmarks pass their own. */
export interface HandlerDeps {
  readonly config: Config;
  readonly store: ConnectionStore;
  readonly rooms: RoomStore;
  /** The chat's count of open connections, for its metric. */
  readonly openConnections: OpenConnections;
  /** The idempotency records of messages sent with a client id. */
  readonly claims: MessageClaims;
  /** The connection's own budget (without sign-in). */
  readonly rateLimiter: RateLimiter;
  /** The people's places (the cap on open connections) and budgets: users, or source IPs. */
  readonly people: People;
  /** The management API client for an endpoint (`https://{domain}/{stage}`), cached. */
  readonly managementClientFor: (endpoint: string) => ApiGatewayManagementApiClient;
  /** The broadcast's PostToConnection for an endpoint, cached. */
  readonly posterFor: (endpoint: string) => PostToConnection;
  /** Where broadcast shards go; undefined when no queue is configured. */
  readonly shardQueue: ShardQueue | undefined;
  /** Where undeliverable recipients go; undefined when no dead-letter queue is configured. */
  readonly deadLetters: DeadLetterQueue | undefined;
  /** The account's callback budget shared by all invocations; undefined: AIMD pacing alone. */
  readonly callbackBudget: CallbackBudget | undefined;
  /** The clock; tests fix it. */
  readonly now: () => Date;
  /** A new message id for a message accepted at `now`; tests fix it. */
  readonly newMessageId: (now: Date) => string;
  /** Writes the invocation's log line. */
  readonly log: (line: InvocationLog) => void;
  /** The invocation's metrics, published once when it ends. */
  readonly metrics: MetricsRecorder;
}

/** What a route may ask of the running invocation. */
export interface Invocation {
  /** Milliseconds before Lambda stops the invocation. */
  remainingTimeMs(): number;
}

/**
 * How long a new connection's `$connect` may still be running: API Gateway's integration timeout
 * (29 s), and a second more. A 410 for a younger connection does not mean it is gone.
 */
const CONNECT_SETTLE_MS = 30_000;

/**
 * The pacer of one invocation: its posts, across all the broadcasts it runs, share one pace.
 * @param deps - the handler's dependencies (the budget and its rate)
 * @param invocation - the running invocation (no post starts within the hand-off margin)
 * @returns the pacer
 */
export function pacerFor(deps: HandlerDeps, invocation: Invocation): Pacer {
  return createPacer({
    budget: deps.callbackBudget,
    postsPerSecond: deps.config.callbackRateLimit,
    clock: systemClock,
    timeToStopMs: () => invocation.remainingTimeMs() - HANDOFF_MARGIN_MS,
  });
}

/**
 * The fan-out's dependencies from the handler's, for one endpoint and invocation.
 * @param deps - the handler's dependencies
 * @param endpoint - the management API endpoint to post to
 * @param invocation - the running invocation (its deadline)
 * @param pacer - the invocation's pacer, when it runs several fan-outs; else a new one
 * @returns the fan-out's dependencies
 */
export function fanoutDepsFor(
  deps: HandlerDeps,
  endpoint: string,
  invocation: Invocation,
  pacer: Pacer = pacerFor(deps, invocation),
): FanoutDeps {
  return {
    post: deps.posterFor(endpoint),
    concurrency: deps.config.sendConcurrency,
    store: {
      recipientPages: deps.store.recipientPages,
      // A recipient found gone (410) is forgotten and, if this delete removed it, counted out;
      // unless it connected within API Gateway's integration timeout: a post answers 410 until
      // its $connect returns, and forgetting it then would leave a live connection unknown.
      remove: async (connectionId) => {
        const settledBefore = new Date(deps.now().getTime() - CONNECT_SETTLE_MS);
        const departure = await forgetConnection(deps, connectionId, settledBefore);
        if (departure?.openConnections !== undefined) {
          deps.metrics.openConnections(departure.openConnections);
        }
        return departure?.room;
      },
    },
    queue: deps.shardQueue,
    shardSize: deps.config.shardSize,
    now: deps.now,
    remainingTimeMs: () => invocation.remainingTimeMs(),
    pacer,
    sleep: systemClock.sleep,
    deadLetters: deps.deadLetters,
    deliveryWindowMs: deps.config.deliveryWindowSeconds * 1000,
    random: Math.random,
  };
}

/**
 * A presence update's dependencies from the handler's, for one endpoint and invocation.
 * @param deps - the handler's dependencies
 * @param endpoint - the management API endpoint to post to
 * @param invocation - the running invocation (its deadline)
 * @returns the presence update's dependencies
 */
export function presenceDepsFor(
  deps: HandlerDeps,
  endpoint: string,
  invocation: Invocation,
): PresenceDeps {
  return {
    store: deps.store,
    rooms: deps.rooms,
    endpoint,
    fanout: fanoutDepsFor(deps, endpoint, invocation),
  };
}
