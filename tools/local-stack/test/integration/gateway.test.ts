/**
 * The WebSocket data plane against the recording fixture handler: event shapes, `$connect`
 * outcomes, AWS's error frames, close codes and limits, through real `ws` clients.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LOCAL_STACK_DEFAULTS } from '../../src/defaults.ts';
import { HandshakeRefused, isEvent, TestClient } from '../support/helpers.ts';
import { useRecordingStack } from '../support/stack-setup.ts';

const GATEWAY_ID = /^[A-Za-z0-9_-]{15}=$/;
const CLF_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

// Timeouts far above what an invocation takes on a busy machine: only a handler that hangs on
// purpose reaches them.
const recording = useRecordingStack({
  env: { EXTRA_SETTING: 'from options.env' },
  integrationTimeoutMs: 5000,
  functionTimeoutMs: 8000,
  maxConcurrency: 4,
});
/**
 * A short integration timeout, for a message that outlives it on purpose. Without `$connect`, no
 * handshake has to beat that timeout on a busy machine.
 */
const impatient = useRecordingStack({
  routes: ['$default'],
  integrationTimeoutMs: 500,
  functionTimeoutMs: 1500,
});

describe('CONNECT event', () => {
  it('carries the client headers in their case, the query string and the identity', async () => {
    // Prepare
    const tag = 'connect-shape';
    // Act
    const { client, connect } = await recording.connect(tag, {
      headers: { 'User-Agent': 'test-agent/1.0', 'X-Custom-Header': 'custom' },
    });
    // Assess
    const event = connect.event as Record<string, unknown> & {
      requestContext: Record<string, unknown>;
    };
    const headers = event.headers as Record<string, string>;
    expect(headers['X-Custom-Header']).toBe('custom');
    expect(headers['Sec-WebSocket-Version']).toBe('13');
    expect(headers['User-Agent']).toBe('test-agent/1.0');
    expect(headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('upgrade');
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('connection');
    expect((event.multiValueHeaders as Record<string, string[]>)['X-Custom-Header']).toEqual([
      'custom',
    ]);
    expect(event.queryStringParameters).toEqual({ tag });
    expect(event.multiValueQueryStringParameters).toEqual({ tag: [tag] });
    expect(event.isBase64Encoded).toBe(false);
    const context = event.requestContext;
    expect(context).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'prod',
      identity: { sourceIp: '127.0.0.1', userAgent: 'test-agent/1.0' },
    });
    expect(context).not.toHaveProperty('messageId');
    expect(context.connectionId).toMatch(GATEWAY_ID);
    expect(context.requestId).toMatch(GATEWAY_ID);
    expect(context.extendedRequestId).toBe(context.requestId);
    expect(context.requestTime).toMatch(CLF_TIME);
    expect(typeof context.connectedAt).toBe('number');
    expect(context.requestTimeEpoch).toBeGreaterThanOrEqual(context.connectedAt as number);
    expect(context.domainName).toBe(new URL(recording.stack.websocketUrl).host);
    expect(context.apiId).toMatch(/^[0-9a-f]{10}$/);
    await client.close();
  });

  it('omits the query string keys and identity.userAgent when the client sent none', async () => {
    // Prepare
    const client = await TestClient.connect(recording.stack.websocketUrl);
    client.sendJson({ do: 'echo' });
    const echoed = await recording.sink.waitFor(isEvent('MESSAGE'));
    const connectionId = echoed.event?.requestContext.connectionId as string;
    // Act
    const connect = await recording.sink.waitFor(isEvent('CONNECT', connectionId));
    // Assess
    expect(connect.event).not.toHaveProperty('queryStringParameters');
    expect(connect.event).not.toHaveProperty('multiValueQueryStringParameters');
    expect(connect.event?.requestContext.identity).toEqual({ sourceIp: '127.0.0.1' });
    await client.close();
  });

  it('gives the handler a Lambda-like context and the stack environment', async () => {
    // Prepare, Act
    const { client, connect } = await recording.connect('context');
    // Assess
    expect(connect.context).toMatchObject({
      functionName: 'awsome-chat-local',
      functionVersion: '$LATEST',
      memoryLimitInMB: String(LOCAL_STACK_DEFAULTS.memoryMb),
      logGroupName: '/aws/lambda/awsome-chat-local',
    });
    expect(connect.context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(connect.context?.remainingTimeInMillis).toBeGreaterThan(0);
    expect(connect.context?.remainingTimeInMillis).toBeLessThanOrEqual(8000);
    expect(connect.env).toEqual({
      TABLE_NAME: recording.stack.tableName,
      APIGW_ENDPOINT: recording.stack.managementEndpoint,
      AWS_REGION: recording.stack.region,
      AWS_ENDPOINT_URL_DYNAMODB: recording.stack.dynamoEndpoint,
      AWS_ACCESS_KEY_ID: 'local',
      EXTRA_SETTING: 'from options.env',
    });
    await client.close();
  });
});

describe('names Object.prototype has', () => {
  it('reach $connect as data: ?__proto__=x, ?toString=1 and a header named constructor', async () => {
    // Prepare: a plain object would hand the prototype's members back for these names
    const tag = 'prototype-names';
    // Act
    const client = await TestClient.connect(
      `${recording.stack.websocketUrl}?tag=${tag}&__proto__=x&toString=1`,
      { headers: { constructor: 'yes' } },
    );
    const connect = await recording.sink.waitFor(
      (record) =>
        isEvent('CONNECT')(record) &&
        (record.event?.queryStringParameters as Record<string, string> | undefined)?.tag === tag,
    );
    // Assess: the handshake succeeded and the event carries each name with the client's value
    const event = connect.event as Record<string, Record<string, unknown>>;
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      ['tag', tag],
      ['__proto__', 'x'],
      ['toString', '1'],
    ]);
    expect(Object.entries(event.multiValueQueryStringParameters ?? {})).toContainEqual([
      '__proto__',
      ['x'],
    ]);
    expect(Object.entries(event.headers ?? {})).toContainEqual(['constructor', 'yes']);
    expect(Object.entries(event.multiValueHeaders ?? {})).toContainEqual(['constructor', ['yes']]);
    await client.close();
  });
});

describe('$connect outcomes', () => {
  it('refuses the handshake with the status the handler returns', async () => {
    // Act
    const refused = TestClient.connect(`${recording.stack.websocketUrl}?status=401`);
    // Assess
    await expect(refused).rejects.toEqual(new HandshakeRefused(401));
  });

  it('refuses with 502 when $connect throws', async () => {
    await expect(TestClient.connect(`${recording.stack.websocketUrl}?throw=1`)).rejects.toEqual(
      new HandshakeRefused(502),
    );
  });

  it('refuses with 504 when $connect outlives the integration timeout', async () => {
    await expect(TestClient.connect(`${recording.stack.websocketUrl}?hang=1`)).rejects.toEqual(
      new HandshakeRefused(504),
    );
  });

  it('returns the subprotocol the handler chose', async () => {
    // Act
    const client = await TestClient.connect(
      `${recording.stack.websocketUrl}?protocol=chat.v1`,
      {},
      ['chat.v1', 'chat.v0'],
    );
    // Assess
    expect(client.socket.protocol).toBe('chat.v1');
    await client.close();
  });

  it('answers 410 to a post to the connection while $connect runs', async () => {
    // Act
    const client = await TestClient.connect(`${recording.stack.websocketUrl}?postSelf=1`);
    // Assess
    const record = await recording.sink.waitFor((r) => r.postSelfDuringConnect !== undefined);
    expect(record.postSelfDuringConnect).toBe('GoneException');
    await client.close();
  });

  it('refuses an upgrade to a path other than the stage with 403', async () => {
    const wrongStage = recording.stack.websocketUrl.replace(/\/prod$/, '/dev');
    await expect(TestClient.connect(wrongStage)).rejects.toEqual(new HandshakeRefused(403));
  });

  it('answers a plain GET of the WebSocket URL with 426', async () => {
    const response = await fetch(recording.stack.websocketUrl.replace(/^ws/, 'http'));
    expect(response.status).toBe(426);
  });
});

describe('MESSAGE and DISCONNECT events', () => {
  it('sends MESSAGE without headers, with the body and a messageId', async () => {
    // Prepare
    const { client, connectionId, connect } = await recording.connect('msg');
    // Act
    client.sendJson({ do: 'echo', text: 'hi' });
    // Assess
    expect(await client.frame(0)).toBe('{"do":"echo","text":"hi"}');
    const message = await recording.sink.waitFor(isEvent('MESSAGE', connectionId));
    expect(message.event).not.toHaveProperty('headers');
    expect(message.event).not.toHaveProperty('multiValueHeaders');
    expect(message.event?.body).toBe('{"do":"echo","text":"hi"}');
    expect(message.event?.requestContext).toMatchObject({
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectedAt: connect.event?.requestContext.connectedAt,
    });
    expect(message.event?.requestContext.messageId).toMatch(GATEWAY_ID);
    await client.close();
  });

  it('reports the client close code and reason in $disconnect, with the synthetic headers', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('bye');
    // Act
    await client.close(4000, 'bye now');
    // Assess
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.headers).toEqual({
      Host: new URL(recording.stack.websocketUrl).host,
      'x-api-key': '',
      'X-Forwarded-For': '',
      'x-restapi': '',
    });
    expect(disconnect.event?.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4000,
      disconnectReason: 'bye now',
    });
  });

  it('reports 1005 "Client-side close frame status not set" for a close without a code', async () => {
    const { client, connectionId } = await recording.connect('no-code');
    await client.close();
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext).toMatchObject({
      disconnectStatusCode: 1005,
      disconnectReason: 'Client-side close frame status not set',
    });
  });

  it('reports 1006 when the client drops the TCP connection without a close frame', async () => {
    const { client, connectionId } = await recording.connect('drop');
    client.socket.terminate();
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext.disconnectStatusCode).toBe(1006);
  });
});

describe('error frames and failures', () => {
  it('sends "Internal server error" when the handler throws, and keeps the connection', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('throws');
    // Act
    client.sendJson({ do: 'throw' });
    // Assess
    const frame = await client.frame(0);
    const message = await recording.sink.waitFor(isEvent('MESSAGE', connectionId));
    expect(frame).toBe(
      `{"message": "Internal server error", "connectionId":"${connectionId}", ` +
        `"requestId":"${message.event?.requestContext.requestId}"}`,
    );
    client.sendJson({ do: 'echo' });
    expect(await client.frame(1)).toBe('{"do":"echo"}');
    await client.close();
  });

  it('sends "Endpoint request timed out" past the integration timeout', async () => {
    const client = await TestClient.connect(impatient.stack.websocketUrl);
    client.sendJson({ do: 'slow', ms: 1200 });
    const frame = await client.frame(0);
    const message = await impatient.sink.waitFor(isEvent('MESSAGE'));
    const connectionId = message.event?.requestContext.connectionId;
    expect(frame).toBe(
      `{"message": "Endpoint request timed out", "connectionId":"${connectionId}", ` +
        `"requestId":"${message.event?.requestContext.requestId}"}`,
    );
    await client.close();
  });

  it.each(['hang', 'exit', 'uncaught'])(
    'keeps serving after a handler that does "%s"',
    async (misdeed) => {
      // Prepare
      const { client } = await recording.connect(`misdeed-${misdeed}`);
      // Act
      client.sendJson({ do: misdeed });
      // Assess: an echo gets through, on this connection and a new one. Invocations in flight in
      // a dying container, or queued behind a hung one, may first end with an error frame (or a
      // handshake with 502), as on Lambda, so a few tries are allowed.
      expect(await echoEventually(client, misdeed)).toBe(true);
      const another = await connectEventually(recording.stack.websocketUrl);
      expect(await echoEventually(another, misdeed)).toBe(true);
      await client.close();
      await another.close();
    },
  );
});

/** Connects, trying again after a 502 (a `$connect` that landed in a dying container). */
async function connectEventually(url: string): Promise<TestClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestClient.connect(url);
    } catch (error) {
      const refusedBy502 = error instanceof HandshakeRefused && error.status === 502;
      if (!refusedBy502 || attempt === 5) throw error;
    }
  }
}

/** Sends echo requests until one comes back (true) or five tries failed (false). */
async function echoEventually(client: TestClient, label: string): Promise<boolean> {
  const echo = `{"do":"echo","after":"${label}"}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const frames = client.received.length;
    client.socket.send(echo);
    await client.frame(frames);
    if (client.received.includes(echo)) return true;
  }
  return false;
}

describe('limits', () => {
  it('closes with 1003 on a binary frame, without invoking the handler', async () => {
    const { client, connectionId } = await recording.connect('binary');
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.closed).code).toBe(1003);
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext.disconnectStatusCode).toBe(1003);
    expect(recording.sink.records.some(isEvent('MESSAGE', connectionId))).toBe(false);
  });

  it('closes with 1009 on a frame over 32 KB', async () => {
    const { client, connectionId } = await recording.connect('big-frame');
    client.socket.send(JSON.stringify({ do: 'echo', pad: 'x'.repeat(33 * 1024) }));
    expect((await client.closed).code).toBe(1009);
    expect(recording.sink.records.some(isEvent('MESSAGE', connectionId))).toBe(false);
  });

  it('accepts a 100 KB message split into frames of 25 KB', async () => {
    // Prepare
    const { client } = await recording.connect('fragments');
    const text = JSON.stringify({ do: 'echo', pad: 'y'.repeat(100 * 1024 - 30) });
    const fragments = splitText(text, 25 * 1024);
    // Act
    fragments.forEach((fragment, index) => {
      client.socket.send(fragment, { fin: index === fragments.length - 1 });
    });
    // Assess
    expect(await client.frame(0)).toBe(text);
    await client.close();
  });

  it('closes with 1009 on a message over 128 KB, even in 32 KB frames', async () => {
    const { client } = await recording.connect('big-message');
    const fragments = splitText('z'.repeat(129 * 1024), 32 * 1024);
    fragments.forEach((fragment, index) => {
      client.socket.send(fragment, { fin: index === fragments.length - 1 });
    });
    expect((await client.closed).code).toBe(1009);
  });
});

function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += size)
    parts.push(text.slice(start, start + size));
  return parts;
}

describe('malformed handshakes', () => {
  it('refuses an upgrade without a valid Sec-WebSocket-Key with 400, before $connect', async () => {
    // Prepare
    const before = recording.sink.records.filter(isEvent('CONNECT')).length;
    const { port, pathname } = new URL(recording.stack.websocketUrl);
    // Act
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        path: pathname,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' },
      });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('upgrade', () => reject(new Error('upgraded')));
      request.on('error', reject);
      request.end();
    });
    // Assess
    expect(status).toBe(400);
    expect(recording.sink.records.filter(isEvent('CONNECT'))).toHaveLength(before);
  });
});
