/**
 * The gateway's handshake decisions with a fake socket and a fake integration, without a server:
 * which upgrade requests are refused, with what bytes, and whether `$connect` runs first.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LambdaProxyEvent } from '../src/events.ts';
import type { InvocationOutcome } from '../src/lambda-runner.ts';
import { browserOriginPolicy } from '../src/origin-policy.ts';
import { compileRouteSelectionExpression } from '../src/route-selection.ts';
import { WebSocketGateway } from '../src/websocket-gateway.ts';

const VALID_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A socket that keeps what the gateway writes to it. */
class FakeSocket extends PassThrough {
  written = '';
  override end(chunk?: unknown): this {
    if (typeof chunk === 'string') this.written += chunk;
    return super.end();
  }
}

/** An upgrade request as Node's HTTP server hands it over. */
function upgradeRequest(path: string, headers: Record<string, string> = {}): IncomingMessage {
  const all: Record<string, string> = {
    host: '127.0.0.1:3001',
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': VALID_KEY,
    ...headers,
  };
  return {
    url: path,
    headers: all,
    rawHeaders: Object.entries(all).flat(),
  } as unknown as IncomingMessage;
}

/** A gateway whose `$connect` integration answers with `outcome` and records its events. */
function gatewayAnswering(outcome: InvocationOutcome | 'never') {
  const invoked: LambdaProxyEvent[] = [];
  const gateway = new WebSocketGateway({
    apiId: 'abc123defg',
    stage: 'prod',
    routeKeys: new Set(['$connect', '$disconnect', '$default']),
    selectRouteValue: compileRouteSelectionExpression('$request.body.action'),
    invoke: (event) => {
      invoked.push(event);
      if (outcome === 'never') return new Promise(() => {});
      return Promise.resolve(outcome);
    },
    idleTimeoutMs: 600_000,
    maxConnectionMs: 7_200_000,
    integrationTimeoutMs: 50,
    allowOrigin: browserOriginPolicy(['http://127.0.0.1:3000']),
    maxClientBufferBytes: 1_048_576,
    log: () => {},
  });
  return { gateway, invoked };
}

async function statusLine(gateway: WebSocketGateway, request: IncomingMessage): Promise<string> {
  const socket = new FakeSocket();
  await gateway.handleUpgrade(request, socket, Buffer.alloc(0));
  return socket.written.split('\r\n')[0] ?? '';
}

describe('WebSocketGateway handshakes', () => {
  it.each([
    ['another stage', '/dev'],
    ['a path below the stage', '/prod/extra'],
    ['the root', '/'],
  ])('refuses an upgrade to %s with 403, without invoking $connect', async (_name, path) => {
    // Prepare
    const { gateway, invoked } = gatewayAnswering({
      ok: true,
      result: { statusCode: 200 },
      awsRequestId: 'r',
    });
    // Act
    const line = await statusLine(gateway, upgradeRequest(path));
    // Assess
    expect(line).toBe('HTTP/1.1 403 Forbidden');
    expect(invoked).toHaveLength(0);
  });

  it.each([
    ['no Sec-WebSocket-Key', { 'sec-websocket-key': '' }],
    ['a short Sec-WebSocket-Key', { 'sec-websocket-key': 'c2hvcnQ=' }],
    ['version 8', { 'sec-websocket-version': '8' }],
  ])('refuses a handshake with %s with 400, without invoking $connect', async (_name, headers) => {
    const { gateway, invoked } = gatewayAnswering({
      ok: true,
      result: { statusCode: 200 },
      awsRequestId: 'r',
    });
    expect(await statusLine(gateway, upgradeRequest('/prod', headers))).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(invoked).toHaveLength(0);
  });

  it.each([
    [
      'returns 401',
      { ok: true, result: { statusCode: 401 }, awsRequestId: 'r' } as const,
      'HTTP/1.1 401 Unauthorized',
    ],
    [
      'throws',
      { ok: false, errorType: 'Error', errorMessage: 'boom', awsRequestId: 'r' } as const,
      'HTTP/1.1 502 Bad Gateway',
    ],
    ['never answers', 'never' as const, 'HTTP/1.1 504 Gateway Timeout'],
  ])('answers a $connect that %s with its status', async (_name, outcome, expected) => {
    // Prepare
    const { gateway, invoked } = gatewayAnswering(outcome);
    // Act
    const line = await statusLine(gateway, upgradeRequest('/prod?room=lobby'));
    // Assess
    expect(line).toBe(expected);
    expect(invoked).toHaveLength(1);
    expect(invoked[0]?.requestContext).toMatchObject({ routeKey: '$connect', stage: 'prod' });
    expect(invoked[0]?.queryStringParameters).toEqual({ room: 'lobby' });
  });
});
