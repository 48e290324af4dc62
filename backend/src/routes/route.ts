/**
 * What a WebSocket route is: the event API Gateway sends, what the route hands back, and the
 * management endpoint the event's connection is reached through.
 */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { EventHeaders } from '../access/origin.ts';
import type { HandlerDeps, Invocation, InvocationLog } from '../deps.ts';

/**
 * A WebSocket proxy event. The DefinitelyTyped type omits `headers` and `multiValueHeaders`,
 * which `$connect` events carry (the client's handshake headers, names in the client's case).
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  readonly headers?: EventHeaders;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>>;
};

/**
 * What the handler returns to API Gateway: the status, and on `$connect` the headers of the
 * handshake's answer (API Gateway passes `Sec-WebSocket-Protocol` on to the client).
 */
export interface RouteResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route hands back: the response and the details for the log line. */
export interface RouteOutcome {
  readonly response: RouteResponse;
  readonly level?: InvocationLog['level'];
  readonly outcome: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One route's implementation. */
export type RouteHandler = (
  event: WebSocketEvent,
  deps: HandlerDeps,
  invocation: Invocation,
) => Promise<RouteOutcome>;

/**
 * The management endpoint for an event: the configured one, else the API's own domain and stage.
 * The stage must be in the path, or the management API answers 403.
 * @param event - the invocation's event
 * @param configured - APIGW_ENDPOINT, if set (e.g. a custom domain's base path, or the local stack)
 * @returns the endpoint URL without a trailing slash
 */
export function managementEndpointFor(
  event: WebSocketEvent,
  configured: string | undefined,
): string {
  if (configured !== undefined) return configured;
  const { domainName, stage } = event.requestContext;
  return `https://${domainName}/${stage}`;
}
