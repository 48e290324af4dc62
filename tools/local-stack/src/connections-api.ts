/**
 * The local stand-in for the API Gateway Management API (`@connections`), served on the same
 * port as the WebSocket endpoint like the execute-api host. Status codes and `x-amzn-ErrorType`
 * headers follow the service model, so the real `ApiGatewayManagementApiClient` raises
 * `GoneException`, `PayloadTooLargeException`, `LimitExceededException` and `ForbiddenException`
 * (docs/apigw-websocket.md, "The @connections API").
 *
 * Signatures are not checked, so the API must not be reachable by anyone but this machine's own
 * programs: it answers only requests from a loopback address, and refuses any request that
 * carries a browser's `Origin` header (a web page the developer opens could otherwise post to
 * it through fetch). Neither refusal exists on AWS, where IAM signatures do this job.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackBudget } from './callback-budget.ts';
import type { PostFaults } from './faults/post-faults.ts';
import { isFromThisMachinesPrograms } from './network.ts';
import { MAX_MESSAGE_BYTES, type WebSocketGateway } from './websocket-gateway.ts';

/** PostToConnection's Data limit in the service model: 128 KiB. */
const MAX_POST_BYTES = MAX_MESSAGE_BYTES;

/**
 * The message of every 429. AWS sends the same `LimitExceededException` for the account throttle
 * and for a client whose buffer is full; what its body says in either case is UNCONFIRMED, so
 * both answers here say the same (the service model's description of the exception), and nothing
 * tested locally can come to tell them apart by a text AWS may not send.
 */
const LIMIT_EXCEEDED_MESSAGE =
  'The client is sending more than the allowed number of requests per unit of time or the ' +
  'WebSocket client side buffer is full';

/** What the API acts on. */
export interface ConnectionsApiOptions {
  readonly stage: string;
  readonly gateway: Pick<
    WebSocketGateway,
    'postToConnection' | 'getConnection' | 'deleteConnection'
  >;
  /** The account's callback budget: posts past it answer 429. Undefined: no limit. */
  readonly budget?: Pick<CallbackBudget, 'admit'>;
  /** Outages injected by tests (stack.faults.failPosts). Undefined: none. */
  readonly postFaults?: Pick<PostFaults, 'failureFor'>;
}

/** A request handler for `/{stage}/@connections/{id}` and `/@connections/{id}`. */
export type ConnectionsRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => void;

/**
 * Creates the handler. Requests to the bare stage path without an Upgrade header get 426; every
 * other path gets 403 ForbiddenException, which is what AWS answers when the stage is missing or
 * wrong in the management endpoint.
 */
export function createConnectionsApi(options: ConnectionsApiOptions): ConnectionsRequestHandler {
  return (request, response) => {
    const target = parseTarget(request.url ?? '/', options.stage);
    if (target !== 'stage-root' && !fromThisMachinesPrograms(request)) {
      drain(request);
      sendJson(response, 403, 'ForbiddenException', {
        message: 'The local @connections API answers programs on this machine only',
      });
      return;
    }
    if (target === 'stage-root') {
      sendJson(response, 426, undefined, { message: 'Upgrade Required' });
      return;
    }
    if (target === undefined) {
      drain(request);
      sendJson(response, 403, 'ForbiddenException', { message: 'Forbidden' });
      return;
    }
    switch (request.method) {
      case 'POST':
        postToConnection(request, response, options, target);
        return;
      case 'GET': {
        drain(request);
        const info = options.gateway.getConnection(target);
        if (info === undefined) sendGone(response);
        else {
          sendJson(response, 200, undefined, {
            connectedAt: new Date(info.connectedAt).toISOString(),
            identity: { sourceIp: info.sourceIp, userAgent: info.userAgent ?? null },
            lastActiveAt: new Date(info.lastActiveAt).toISOString(),
          });
        }
        return;
      }
      case 'DELETE':
        drain(request);
        if (options.gateway.deleteConnection(target)) sendJson(response, 204, undefined, undefined);
        else sendGone(response);
        return;
      default:
        drain(request);
        sendJson(response, 403, 'ForbiddenException', { message: 'Forbidden' });
    }
  };
}

function postToConnection(
  request: IncomingMessage,
  response: ServerResponse,
  options: ConnectionsApiOptions,
  connectionId: string,
): void {
  // The account throttle stands in front of everything else, as API Gateway's does.
  if (options.budget !== undefined && !options.budget.admit()) {
    drain(request);
    sendJson(response, 429, 'LimitExceededException', { message: LIMIT_EXCEEDED_MESSAGE });
    return;
  }
  const failure = options.postFaults?.failureFor(connectionId);
  if (failure !== undefined) {
    drain(request);
    if (failure.status === 410) sendGone(response);
    else {
      // An injected 429 (a recipient's full buffer, say) reads as every other 429 here.
      const message =
        failure.errorType === 'LimitExceededException' ? LIMIT_EXCEEDED_MESSAGE : failure.message;
      sendJson(response, failure.status, failure.errorType, { message });
    }
    return;
  }
  const tooLarge = (): void => {
    drain(request);
    sendJson(response, 413, 'PayloadTooLargeException', {
      message: 'Request Entity Too Large',
    });
  };
  if (Number(request.headers['content-length'] ?? 0) > MAX_POST_BYTES) {
    tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  request.on('data', (chunk: Buffer) => {
    if (rejected) return;
    size += chunk.length;
    if (size > MAX_POST_BYTES) {
      rejected = true;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (rejected) return;
    const result = options.gateway.postToConnection(connectionId, Buffer.concat(chunks, size));
    if (result === 'sent') sendJson(response, 200, undefined, undefined);
    else if (result === 'gone') sendGone(response);
    else {
      sendJson(response, 429, 'LimitExceededException', { message: LIMIT_EXCEEDED_MESSAGE });
    }
  });
  request.on('error', () => response.destroy());
}

/**
 * The connection id from the request path, `'stage-root'` for the WebSocket URL itself, or
 * `undefined` for any other path. `//` is collapsed (newer SDKs can produce it from an endpoint with
 * a trailing slash), `%40` is accepted for `@`, and the id is URL-decoded (`%3D` → `=`).
 */
function parseTarget(url: string, stage: string): string | 'stage-root' | undefined {
  const path = (url.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
  if (path === `/${stage}` || path === `/${stage}/`) return 'stage-root';
  const match = /^(?:\/([^/]+))?\/(?:@|%40)connections\/([^/]+)$/.exec(path);
  if (match?.[2] === undefined) return undefined;
  if (match[1] !== undefined && match[1] !== stage) return undefined;
  try {
    return decodeURIComponent(match[2]);
  } catch {
    return undefined;
  }
}

/** A loopback peer without a browser's Origin header: a program on this machine. */
function fromThisMachinesPrograms(request: IncomingMessage): boolean {
  return isFromThisMachinesPrograms({
    remoteAddress: request.socket.remoteAddress,
    origin: request.headers.origin,
  });
}

function sendGone(response: ServerResponse): void {
  // AWS sends an empty-ish body; the SDK needs only the header to raise GoneException.
  sendJson(response, 410, 'GoneException', {});
}

function sendJson(
  response: ServerResponse,
  status: number,
  errorType: string | undefined,
  body: object | undefined,
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'x-amzn-RequestId': randomUUID(),
    'content-length': Buffer.byteLength(text),
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
  response.writeHead(status, headers).end(text);
}

/** Reads and discards a request body we do not use, so keep-alive connections stay usable. */
function drain(request: IncomingMessage): void {
  request.resume();
}
