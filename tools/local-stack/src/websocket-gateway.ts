/**
 * The local stand-in for API Gateway's WebSocket data plane: handshakes gated by `$connect`,
 * route selection, MESSAGE invocations with AWS's error frames, `$disconnect` with the close code
 * and reason, the frame, message, idle and duration limits, as docs/apigw-websocket.md describes.
 * It also owns the live connections, which the `@connections` API (connections-api.ts) acts on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import contract from '../../../contract/contract.json' with { type: 'json' };
import {
  type ApiFacts,
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  type LambdaProxyEvent,
  messageEvent,
} from './events.ts';
import { FrameSizeGuard } from './frame-size-guard.ts';
import {
  clientCloseStatus,
  errorFrame,
  type GatewayErrorMessage,
  handshakeRefusal,
  handshakeStatus,
  type IntegrationResult,
  subprotocolOf,
} from './gateway-responses.ts';
import { newGatewayId, newTraceId } from './ids.ts';
import {
  type AuthorizerDecision,
  authorizerDecision,
  authorizerRequestEvent,
  type IdentitySource,
  missingIdentitySource,
  withAuthorizer,
} from './lambda-authorizer.ts';
import type { InvocationOutcome } from './lambda-runner.ts';
import type { OriginPolicy } from './origin-policy.ts';
import { type RouteSelector, selectRoute } from './route-selection.ts';

/** API Gateway's WebSocket frame quota (32 KB; read as KiB, UNCONFIRMED which one AWS means). */
export const MAX_FRAME_BYTES = contract.apiGateway.maxFrameBytes;
/** API Gateway's WebSocket message quota (128 KB), the same as PostToConnection's Data limit. */
export const MAX_MESSAGE_BYTES = contract.apiGateway.maxMessageBytes;

/** How the gateway behaves. */
export interface WebSocketGatewayOptions {
  readonly apiId: string;
  readonly stage: string;
  /** Route keys with an integration, e.g. `$connect`, `$disconnect`, `$default`, `sendmessage`. */
  readonly routeKeys: ReadonlySet<string>;
  readonly selectRouteValue: RouteSelector;
  /** Invokes the route's Lambda integration. */
  readonly invoke: (event: LambdaProxyEvent) => Promise<InvocationOutcome>;
  readonly idleTimeoutMs: number;
  readonly maxConnectionMs: number;
  readonly integrationTimeoutMs: number;
  /** Which handshake Origins may connect (a local guard; see origin-policy.ts). */
  readonly allowOrigin: OriginPolicy;
  /**
   * Bytes that may wait in a connection's send buffer; a post that would pass it is refused, as
   * AWS refuses posts to a client whose buffer is full.
   */
  readonly maxClientBufferBytes: number;
  /** A Lambda REQUEST authorizer on `$connect` (lambda-authorizer.ts); none when left out. */
  readonly authorizer?: GatewayAuthorizer;
  readonly log: (line: string) => void;
}

/** How the gateway runs a `$connect` authorizer. */
export interface GatewayAuthorizer {
  /** What a handshake must carry before the authorizer is invoked. */
  readonly identitySources: readonly IdentitySource[];
  /** The method ARN the authorizer's policy must allow. */
  readonly methodArn: string;
  /** Invokes the authorizer function. */
  readonly invoke: (event: LambdaProxyEvent) => Promise<InvocationOutcome>;
}

/** What became of a post to a connection. */
export type PostResult = 'sent' | 'gone' | 'buffer-full';

/** What GetConnection reports. */
export interface ConnectionInfo {
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
}

interface LiveConnection extends ConnectionFacts {
  readonly socket: WebSocket;
  readonly domainName: string;
  lastActiveAt: number;
  readonly idleTimer: NodeJS.Timeout;
  readonly maxDurationTimer: NodeJS.Timeout;
  /** Set when the gateway itself closed the connection; reported in `$disconnect`. */
  closedBy: { readonly code: number; readonly reason: string } | undefined;
}

/** The WebSocket side of the local execute-api endpoint. */
export class WebSocketGateway {
  readonly #options: WebSocketGatewayOptions;
  readonly #connections = new Map<string, LiveConnection>();
  /** The subprotocol `$connect` chose, per pending handshake, for `handleProtocols`. */
  readonly #chosenProtocols = new WeakMap<IncomingMessage, string>();
  readonly #server: WebSocketServer;
  #stopping = false;

  constructor(options: WebSocketGatewayOptions) {
    this.#options = options;
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // ws enforces this per message and closes with 1009, the code AWS uses.
      maxPayload: MAX_MESSAGE_BYTES,
      // API Gateway does not negotiate permessage-deflate (UNCONFIRMED); off also keeps frame sizes
      // on the wire equal to payload sizes for the 32 KB check.
      perMessageDeflate: false,
      handleProtocols: (_protocols, request) => this.#chosenProtocols.get(request) ?? false,
    });
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Handles an HTTP upgrade request: runs `$connect` first and completes the handshake only when
   * it returns 2xx, as AWS does.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://local');
    if (
      this.#stopping ||
      (url.pathname !== `/${this.#options.stage}` && url.pathname !== `/${this.#options.stage}/`)
    ) {
      rejectHandshake(socket, 403);
      return;
    }
    // A malformed handshake never reaches the integration (ws would refuse it only afterwards).
    if (
      request.headers['sec-websocket-version'] !== '13' ||
      !/^[A-Za-z0-9+/]{22}==$/.test(request.headers['sec-websocket-key'] ?? '')
    ) {
      rejectHandshake(socket, 400);
      return;
    }
    const origin = request.headers.origin;
    if (!this.#options.allowOrigin(origin)) {
      this.#options.log(`${'$connect'.padEnd(11)} refused: Origin ${origin} is not allowed -> 403`);
      rejectHandshake(socket, 403);
      return;
    }
    const now = Date.now();
    const localPort = 'localPort' in socket ? String(socket.localPort) : '';
    const connection: ConnectionFacts & { domainName: string } = {
      connectionId: newGatewayId(),
      connectedAt: now,
      sourceIp: clientIp(socket),
      userAgent: request.headers['user-agent'],
      domainName: request.headers.host ?? 'localhost',
    };
    const api = this.#api(connection.domainName);
    let protocol: string | undefined;
    let authorized: (ConnectionFacts & { domainName: string }) | undefined = connection;
    if (this.#options.routeKeys.has('$connect')) {
      const handshake = {
        rawHeaders: request.rawHeaders,
        query: url.search.slice(1),
        addedHeaders: {
          // Locally the client talks plain ws:// to this port, and the headers say so.
          'X-Amzn-Trace-Id': newTraceId(now),
          'X-Forwarded-For': connection.sourceIp,
          'X-Forwarded-Port': localPort,
          'X-Forwarded-Proto': 'http',
        },
      };
      authorized = await this.#authorize(connection, handshake, now, socket);
      if (authorized === undefined) return;
      const event = connectEvent(api, authorized, handshake, now);
      const started = Date.now();
      const result = await this.#integrate(event);
      const status = handshakeStatus(result);
      this.#logInvocation('$connect', connection.connectionId, result, started, status);
      if (status < 200 || status > 299) {
        rejectHandshake(socket, status);
        return;
      }
      if (!result.timedOut && result.outcome.ok) protocol = subprotocolOf(result.outcome.result);
    }
    // UNCONFIRMED: a client that leaves while $connect runs never becomes a connection, so no
    // $disconnect follows (AWS delivers $disconnect only for established connections).
    if (this.#stopping || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (protocol !== undefined) this.#chosenProtocols.set(request, protocol);
    const facts = authorized;
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#open(ws, facts, socket));
  }

  /**
   * Runs the `$connect` authorizer, when there is one, before `$connect`: identity sources first
   * (401 without invoking it), then its answer (401, 403, 500 or on). API Gateway caches nothing
   * for WebSocket APIs: every handshake invokes it.
   * @returns the connection with its authorizer context, or undefined when the handshake was
   *   refused (the refusal is sent)
   */
  async #authorize(
    connection: ConnectionFacts & { domainName: string },
    handshake: Parameters<typeof connectEvent>[2],
    now: number,
    socket: Duplex,
  ): Promise<(ConnectionFacts & { domainName: string }) | undefined> {
    const { authorizer } = this.#options;
    if (authorizer === undefined) return connection;
    const missing = missingIdentitySource(authorizer.identitySources, handshake);
    if (missing !== undefined) {
      this.#options.log(
        `${'authorizer'.padEnd(11)} ${connection.connectionId} not invoked: no ${missing.kind} ` +
          `${missing.name} -> 401`,
      );
      rejectHandshake(socket, 401);
      return undefined;
    }
    const event = authorizerRequestEvent(
      authorizer.methodArn,
      connectEvent(this.#api(connection.domainName), connection, handshake, now),
      handshake,
    );
    const started = Date.now();
    const result = await this.#integrate(event, authorizer.invoke);
    const decision: AuthorizerDecision = authorizerDecision(
      result,
      authorizer.methodArn,
      Date.now() - started,
    );
    const what = decision.allowed ? `allowed ${decision.principalId}` : decision.reason;
    const status = decision.allowed ? '' : ` -> ${decision.status}`;
    this.#options.log(
      `${'authorizer'.padEnd(11)} ${connection.connectionId} ${what}${status} (${Date.now() - started} ms)`,
    );
    if (!decision.allowed) {
      rejectHandshake(socket, decision.status);
      return undefined;
    }
    return withAuthorizer(connection, decision);
  }

  /**
   * Sends `data` to a connection as a UTF-8 text frame (PostToConnection).
   *
   * @returns `gone` when the connection is unknown, still connecting or closed (a 410);
   *   `buffer-full` when the client has not read enough of what was sent before (a 429).
   */
  postToConnection(connectionId: string, data: Buffer): PostResult {
    const connection = this.#openConnection(connectionId);
    if (connection === undefined) return 'gone';
    if (connection.socket.bufferedAmount + data.length > this.#options.maxClientBufferBytes) {
      return 'buffer-full';
    }
    this.#send(connection, data.toString('utf8'));
    return 'sent';
  }

  /** GetConnection's facts, or `undefined` when the connection is gone. */
  getConnection(connectionId: string): ConnectionInfo | undefined {
    const connection = this.#openConnection(connectionId);
    if (connection === undefined) return undefined;
    return {
      connectedAt: connection.connectedAt,
      lastActiveAt: connection.lastActiveAt,
      sourceIp: connection.sourceIp,
      userAgent: connection.userAgent,
    };
  }

  /**
   * Closes a connection (DeleteConnection); `$disconnect` then reports 1000 "Connection Closed
   * Normally", as observed on AWS.
   *
   * @returns false when the connection is already gone.
   */
  deleteConnection(connectionId: string): boolean {
    const connection = this.#openConnection(connectionId);
    if (connection === undefined) return false;
    this.#close(connection, 1000, 'Connection Closed Normally');
    return true;
  }

  /** Closes every connection with 1001 "Going away", without `$disconnect` invocations. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const closed = [...this.#connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.socket.close(1001, 'Going away');
          // Do not wait for clients that never answer the close frame.
          setTimeout(() => connection.socket.terminate(), 250).unref();
        }),
    );
    await Promise.all(closed);
    this.#server.close();
  }

  #open(socket: WebSocket, facts: ConnectionFacts & { domainName: string }, raw: Duplex): void {
    const { idleTimeoutMs, maxConnectionMs } = this.#options;
    const connection: LiveConnection = {
      ...facts,
      socket,
      lastActiveAt: Date.now(),
      idleTimer: setTimeout(() => this.#close(connection, 1001, 'Going away'), idleTimeoutMs),
      maxDurationTimer: setTimeout(
        () => this.#close(connection, 1001, 'Going away'),
        maxConnectionMs,
      ),
      closedBy: undefined,
    };
    this.#connections.set(connection.connectionId, connection);
    const guard = new FrameSizeGuard(MAX_FRAME_BYTES, () => this.#close(connection, 1009, ''));
    // Prepended so the guard sees each chunk before ws parses it.
    raw.prependListener('data', (chunk: Buffer) => guard.push(chunk));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (isBinary) {
        // Binary frames are not supported by API Gateway: close with 1003, no invocation.
        this.#close(connection, 1003, '');
        return;
      }
      this.#touch(connection);
      void this.#onMessage(connection, data.toString('utf8'));
    });
    socket.on('error', () => {
      // ws follows every error (oversized message, invalid UTF-8...) with a close; see 'close'.
    });
    socket.on('close', (code: number, reason: Buffer) => {
      void this.#onClose(connection, code, reason.toString('utf8'));
    });
  }

  async #onMessage(connection: LiveConnection, text: string): Promise<void> {
    const started = Date.now();
    const routeKey = selectRoute(this.#options.selectRouteValue(text), this.#options.routeKeys);
    if (routeKey === undefined) {
      // No match and no $default: AWS answers with a Forbidden frame and keeps the connection.
      this.#sendError(connection, 'Forbidden', newGatewayId());
      this.#options.log(`(no route)  ${connection.connectionId} Forbidden`);
      return;
    }
    const event = messageEvent(
      this.#api(connection.domainName),
      connection,
      routeKey,
      text,
      started,
    );
    const result = await this.#integrate(event);
    this.#logInvocation(routeKey, connection.connectionId, result, started);
    if (result.timedOut) {
      this.#sendError(connection, 'Endpoint request timed out', event.requestContext.requestId);
    } else if (!result.outcome.ok) {
      this.#sendError(connection, 'Internal server error', event.requestContext.requestId);
    }
    // A successful result is dropped: AWS returns a proxy Lambda's body only on two-way routes,
    // and this stack's routes are one-way.
  }

  async #onClose(connection: LiveConnection, code: number, reason: string): Promise<void> {
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxDurationTimer);
    this.#connections.delete(connection.connectionId);
    if (this.#stopping || !this.#options.routeKeys.has('$disconnect')) return;
    const status = connection.closedBy ?? clientCloseStatus(code, reason);
    const started = Date.now();
    const event = disconnectEvent(
      this.#api(connection.domainName),
      connection,
      status.code,
      status.reason,
      started,
    );
    // Nothing can reach the client any more: the result and errors are only logged.
    const result = await this.#integrate(event);
    this.#logInvocation('$disconnect', connection.connectionId, result, started);
  }

  #integrate(
    event: LambdaProxyEvent,
    invoke: (event: LambdaProxyEvent) => Promise<InvocationOutcome> = this.#options.invoke,
  ): Promise<IntegrationResult> {
    return new Promise((resolve) => {
      // Past the integration timeout the client gets its answer, but the Lambda keeps running
      // (until the function timeout), as on AWS.
      const timer = setTimeout(
        () => resolve({ timedOut: true }),
        this.#options.integrationTimeoutMs,
      );
      void invoke(event).then((outcome) => {
        clearTimeout(timer);
        resolve({ timedOut: false, outcome });
      });
    });
  }

  #openConnection(connectionId: string): LiveConnection | undefined {
    const connection = this.#connections.get(connectionId);
    return connection?.socket.readyState === WebSocket.OPEN ? connection : undefined;
  }

  #touch(connection: LiveConnection): void {
    connection.lastActiveAt = Date.now();
    connection.idleTimer.refresh();
  }

  #send(connection: LiveConnection, text: string): void {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    // Outbound data counts as activity for the idle timeout, as on AWS. lastActiveAt moves only
    // on client frames: whether posts move it on AWS is UNCONFIRMED.
    connection.idleTimer.refresh();
    connection.socket.send(text);
  }

  #sendError(connection: LiveConnection, message: GatewayErrorMessage, requestId: string): void {
    this.#send(connection, errorFrame(message, connection.connectionId, requestId));
  }

  #close(connection: LiveConnection, code: number, reason: string): void {
    if (connection.closedBy !== undefined) return;
    connection.closedBy = { code, reason };
    connection.socket.close(code, reason);
  }

  #api(domainName: string): ApiFacts {
    return { apiId: this.#options.apiId, stage: this.#options.stage, domainName };
  }

  #logInvocation(
    routeKey: string,
    connectionId: string,
    result: IntegrationResult,
    started: number,
    status?: number,
  ): void {
    const elapsed = `${Date.now() - started} ms`;
    let what: string;
    if (result.timedOut) what = 'Endpoint request timed out';
    else if (!result.outcome.ok) what = `failed: ${result.outcome.errorType}`;
    else what = 'ok';
    const statusText = status === undefined ? '' : ` -> ${status}`;
    this.#options.log(`${routeKey.padEnd(11)} ${connectionId} ${what}${statusText} (${elapsed})`);
  }
}

function rejectHandshake(socket: Duplex, status: number): void {
  socket.end(handshakeRefusal(status, newGatewayId()));
}

function clientIp(socket: Duplex): string {
  const address = 'remoteAddress' in socket ? String(socket.remoteAddress) : '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
