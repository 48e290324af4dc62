/**
 * Builds the Lambda proxy events API Gateway sends for a WebSocket API (CONNECT, MESSAGE,
 * DISCONNECT), field by field as in real captures (docs/apigw-websocket.md, "Event shapes").
 */
import { commonLogFormatTime, newGatewayId } from './ids.ts';

/** What every event of one connection shares. */
export interface ConnectionFacts {
  readonly connectionId: string;
  /** Epoch ms of the handshake. */
  readonly connectedAt: number;
  readonly sourceIp: string;
  /** The client's User-Agent; `undefined` when it sent none (then `identity.userAgent` is absent). */
  readonly userAgent: string | undefined;
  /**
   * `requestContext.authorizer` of every event of the connection, when a Lambda authorizer
   * allowed its handshake (lambda-authorizer.ts); absent without one.
   */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** The API and stage the events come from. */
export interface ApiFacts {
  readonly apiId: string;
  readonly stage: string;
  /** `requestContext.domainName`: the Host the client connected to. */
  readonly domainName: string;
}

/**
 * A Lambda proxy event as the gateway builds it; loosely typed because its keys differ by event
 * type. (The backend's own `WebSocketEvent` is the handler's view of the same JSON.)
 */
export type LambdaProxyEvent = Record<string, unknown> & {
  readonly requestContext: Record<string, unknown> & { readonly requestId: string };
};

/** The handshake request, as far as the CONNECT event needs it. */
export interface HandshakeRequest {
  /** Node's `rawHeaders`: names in the case the client sent them, values alternating. */
  readonly rawHeaders: readonly string[];
  /** The query string without `?`, or `''`. */
  readonly query: string;
  /** Headers API Gateway adds (X-Amzn-Trace-Id, X-Forwarded-*). */
  readonly addedHeaders: Readonly<Record<string, string>>;
}

/**
 * A map keyed by what the client sent (header names, query keys), without Object.prototype
 * behind it: `__proto__`, `constructor` and `toString` are names like any other, never the
 * prototype's members. It serializes to JSON like any object.
 */
function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Handshake headers API Gateway does not pass on to the integration. */
const DROPPED_HEADERS = new Set(['connection', 'upgrade']);

/** The CONNECT event: client headers (in the client's case), query string, identity. */
export function connectEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  request: HandshakeRequest,
  now: number,
): LambdaProxyEvent {
  const event: Record<string, unknown> = handshakeHeaders(request, { keepUpgrade: false });
  const query = queryParameters(request.query);
  if (query !== undefined) {
    event.queryStringParameters = query.single;
    event.multiValueQueryStringParameters = query.multi;
  }
  event.requestContext = requestContext(api, connection, now, {
    routeKey: '$connect',
    eventType: 'CONNECT',
  });
  event.isBase64Encoded = false;
  return event as LambdaProxyEvent;
}

/**
 * The handshake's headers in both forms: the client's, in its case, then the ones API Gateway
 * adds. A repeated header keeps its last value in the single-value map, like REST proxy events.
 * @param request - the handshake
 * @param options - `keepUpgrade`: keep `Connection` and `Upgrade`, which `$connect` never sees
 *   but a REQUEST authorizer does (AWS's documented authorizer input has them)
 * @returns `headers` and `multiValueHeaders`
 */
export function handshakeHeaders(
  request: HandshakeRequest,
  options: { readonly keepUpgrade: boolean },
): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers = dataRecord<string>();
  const multiValueHeaders = dataRecord<string[]>();
  const addHeader = (name: string, value: string): void => {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  };
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string;
    if (options.keepUpgrade || !DROPPED_HEADERS.has(name.toLowerCase())) {
      addHeader(name, request.rawHeaders[index + 1] as string);
    }
  }
  for (const [name, value] of Object.entries(request.addedHeaders)) addHeader(name, value);
  return { headers, multiValueHeaders };
}

/** A MESSAGE event for one text frame routed to `routeKey`. No headers, by design of AWS. */
export function messageEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  body: string,
  now: number,
): LambdaProxyEvent {
  return {
    requestContext: requestContext(api, connection, now, {
      routeKey,
      messageId: newGatewayId(),
      eventType: 'MESSAGE',
    }),
    body,
    isBase64Encoded: false,
  };
}

/** The DISCONNECT event: four synthetic headers plus the close code and reason. */
export function disconnectEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  closeCode: number,
  closeReason: string,
  now: number,
): LambdaProxyEvent {
  const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    requestContext: requestContext(api, connection, now, {
      routeKey: '$disconnect',
      disconnectStatusCode: closeCode,
      eventType: 'DISCONNECT',
      disconnectReason: closeReason,
    }),
    isBase64Encoded: false,
  };
}

interface EventKind {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly messageId?: string;
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
}

function requestContext(
  api: ApiFacts,
  connection: ConnectionFacts,
  now: number,
  kind: EventKind,
): LambdaProxyEvent['requestContext'] {
  const requestId = newGatewayId();
  const identity: Record<string, string> = {};
  if (connection.userAgent !== undefined) identity.userAgent = connection.userAgent;
  identity.sourceIp = connection.sourceIp;
  // Key order follows real events (docs/apigw-websocket.md), for anyone diffing against a capture.
  const context: Record<string, unknown> = { routeKey: kind.routeKey };
  if (kind.disconnectStatusCode !== undefined) {
    context.disconnectStatusCode = kind.disconnectStatusCode;
  }
  if (kind.messageId !== undefined) context.messageId = kind.messageId;
  context.eventType = kind.eventType;
  context.extendedRequestId = requestId;
  context.requestTime = commonLogFormatTime(now);
  context.messageDirection = 'IN';
  if (kind.disconnectReason !== undefined) context.disconnectReason = kind.disconnectReason;
  context.stage = api.stage;
  context.connectedAt = connection.connectedAt;
  context.requestTimeEpoch = now;
  // Where API Gateway puts it among the others is UNCONFIRMED (no capture with an authorizer).
  if (connection.authorizer !== undefined) context.authorizer = { ...connection.authorizer };
  context.identity = identity;
  context.requestId = requestId;
  context.domainName = api.domainName;
  context.connectionId = connection.connectionId;
  context.apiId = api.apiId;
  return context as LambdaProxyEvent['requestContext'];
}

/**
 * The query string in both forms, as API Gateway passes it.
 * @param query - the query string without `?`
 * @returns both maps, or undefined when there is no parameter (the keys are then left out)
 */
export function queryParameters(
  query: string,
): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  if (query === '') return undefined;
  const single = dataRecord<string>();
  const multi = dataRecord<string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    // Repeated keys: last value wins in the single-value map (UNCONFIRMED for WebSocket APIs).
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return Object.keys(single).length === 0 ? undefined : { single, multi };
}
