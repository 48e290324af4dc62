/**
 * Types shared by the handler and its routes: the event API Gateway sends, the result it
 * expects, the injected dependencies and the one log line each invocation writes.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { EventHeaders } from './access/origin.ts';
import type { RateLimiter } from './access/rate-limiter.ts';
import type { PostToConnection } from './broadcast/poster.ts';
import type { ShardQueue } from './broadcast/shard-queue.ts';
import type { Config } from './config.ts';
import type { ConnectionStore } from './rooms/connection-store.ts';
import type { RoomStore } from './rooms/room-store.ts';

/**
 * A WebSocket proxy event. The DefinitelyTyped type omits `headers`, which `$connect` events
 * carry (the client's handshake headers, names in the client's case).
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & { readonly headers?: EventHeaders };

/** What the handler returns to API Gateway; only `statusCode` matters on these routes. */
export interface RouteResponse {
  readonly statusCode: number;
}

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

/** What a route hands back: the response and the details for the log line. */
export interface RouteOutcome {
  readonly response: RouteResponse;
  readonly level?: InvocationLog['level'];
  readonly outcome: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Everything the handler needs from outside; tests and benchmarks pass their own. */
export interface HandlerDeps {
  readonly config: Config;
  readonly store: ConnectionStore;
  readonly rooms: RoomStore;
  readonly rateLimiter: RateLimiter;
  /** The management API client for an endpoint (`https://{domain}/{stage}`), cached. */
  readonly managementClientFor: (endpoint: string) => ApiGatewayManagementApiClient;
  /** The broadcast's PostToConnection for an endpoint, cached. */
  readonly posterFor: (endpoint: string) => PostToConnection;
  /** Where broadcast shards go; undefined when no queue is configured. */
  readonly shardQueue: ShardQueue | undefined;
  /** The clock; tests fix it. */
  readonly now: () => Date;
  /** A new message id for a message accepted at `now`; tests fix it. */
  readonly newMessageId: (now: Date) => string;
  /** Writes the invocation's log line. */
  readonly log: (line: InvocationLog) => void;
}

/** What a route may ask of the running invocation. */
export interface Invocation {
  /** Milliseconds before Lambda stops the invocation. */
  remainingTimeMs(): number;
}

/** One route's implementation. */
export type RouteHandler = (
  event: WebSocketEvent,
  deps: HandlerDeps,
  invocation: Invocation,
) => Promise<RouteOutcome>;
