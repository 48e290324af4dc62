/**
 * Builders of API Gateway WebSocket proxy events shaped like real captures (see
 * docs/apigw-websocket.md, "Event shapes"), so tests read as "a $connect from this origin".
 */
import type { WebSocketEvent } from '../../src/routes/route.ts';

/** Domain and stage every test event carries. */
export const DOMAIN_NAME = 'abc123.execute-api.eu-west-1.amazonaws.com';
export const STAGE = 'prod';

interface EventOptions {
  readonly connectionId?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The handshake URL's query string parameters (`$connect` only). */
  readonly query?: Record<string, string>;
}

/**
 * Builds a WebSocket proxy event.
 * @param routeKey - `$connect`, `$disconnect`, `$default` or anything else
 * @param options - connection id, handshake headers, frame body
 * @returns the event
 */
export function webSocketEvent(routeKey: string, options: EventOptions = {}): WebSocketEvent {
  const eventType =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  return {
    requestContext: {
      routeKey,
      eventType,
      messageId: 'R1knPc2ntjMCFIA=',
      extendedRequestId: 'R1knPHYnNjMFaRg=',
      requestId: 'R1knPHYnNjMFaRg=',
      requestTime: '26/Nov/2026:10:00:00 +0000',
      messageDirection: 'IN',
      stage: STAGE,
      connectedAt: 1_795_000_000_000,
      requestTimeEpoch: 1_795_000_000_100,
      domainName: DOMAIN_NAME,
      connectionId: options.connectionId ?? 'sender0000000A=',
      apiId: 'abc123',
    },
    isBase64Encoded: false,
    ...(options.headers !== undefined && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    ...(options.query !== undefined && { queryStringParameters: options.query }),
  };
}
