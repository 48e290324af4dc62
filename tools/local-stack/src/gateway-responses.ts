/**
 * What the local gateway answers, as pure functions of what happened: the handshake status for a
 * `$connect` result, the subprotocol it chose, the close status `$disconnect` reports, AWS's error
 * frames and the HTTP response that refuses a handshake. docs/apigw-websocket.md says where each
 * rule comes from.
 */
import { STATUS_CODES } from 'node:http';
import type { InvocationOutcome } from './lambda-runner.ts';

/** How an integration (one Lambda invocation) ended, as the gateway sees it. */
export type IntegrationResult =
  | { readonly timedOut: true }
  | { readonly timedOut: false; readonly outcome: InvocationOutcome };

/** A WebSocket close code and reason. */
export interface CloseStatus {
  readonly code: number;
  readonly reason: string;
}

/** The messages of the error frames API Gateway sends on a MESSAGE route. */
export type GatewayErrorMessage =
  | 'Forbidden'
  | 'Internal server error'
  | 'Endpoint request timed out';

/**
 * The handshake status for a `$connect` result: the handler's statusCode; 502 when it failed;
 * 504 when it timed out (UNCONFIRMED); 200 when it returned no statusCode (UNCONFIRMED: the Lambda
 * succeeded, so the connection is accepted). A statusCode outside 100-599 counts as a failure.
 * @param result - how the `$connect` integration ended
 * @returns the HTTP status; 2xx completes the handshake
 */
export function handshakeStatus(result: IntegrationResult): number {
  if (result.timedOut) return 504;
  if (!result.outcome.ok) return 502;
  const response = result.outcome.result;
  if (typeof response === 'object' && response !== null && 'statusCode' in response) {
    const status = Number(response.statusCode);
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 502;
  }
  return 200;
}

/**
 * The subprotocol a `$connect` response chose through its `Sec-WebSocket-Protocol` header (any
 * case), which API Gateway returns in the 101 response.
 * @param response - what the handler returned
 * @returns the protocol, or undefined when the response names none
 */
export function subprotocolOf(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null || !('headers' in response)) {
    return undefined;
  }
  const headers = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The close status `$disconnect` reports for a close the client started: its own code and reason,
 * and for a close frame without a code (1005) the reason AWS gives.
 * @param code - the code the close frame carried, 1005 when none, 1006 for a dropped connection
 * @param reason - the reason the close frame carried
 * @returns what `disconnectStatusCode` and `disconnectReason` say
 */
export function clientCloseStatus(code: number, reason: string): CloseStatus {
  if (code === 1005) return { code, reason: 'Client-side close frame status not set' };
  // 1006: the TCP connection ended without a close frame; what AWS reports then is UNCONFIRMED.
  return { code, reason };
}

/**
 * An error frame byte for byte as AWS writes it: one space after `"message":` and after each
 * comma, none after the other colons. The ids come from API Gateway, never from Lambda.
 * @param message - which error
 * @param connectionId - the connection the frame goes to
 * @param requestId - the gateway request id of the frame that failed
 * @returns the frame's text
 */
export function errorFrame(
  message: GatewayErrorMessage,
  connectionId: string,
  requestId: string,
): string {
  return `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/**
 * The raw HTTP response that refuses a WebSocket handshake, written straight to the socket
 * because the connection never became a WebSocket.
 * @param status - the HTTP status
 * @param requestId - the gateway request id, sent as `x-amzn-RequestId`
 * @returns the response, head and body
 */
export function handshakeRefusal(status: number, requestId: string): string {
  const body =
    status === 403
      ? '{"message":"Forbidden"}'
      : status >= 500
        ? '{"message": "Internal server error"}'
        : '';
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `x-amzn-RequestId: ${requestId}\r\n\r\n${body}`
  );
}
