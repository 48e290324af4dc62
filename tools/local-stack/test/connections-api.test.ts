/**
 * The `@connections` API's answers with a fake request, response and gateway: who it answers,
 * and the status and error type for each outcome of a post.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ConnectionsApiOptions, createConnectionsApi } from '../src/connections-api.ts';
import type { PostResult } from '../src/websocket-gateway.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | number>;
  readonly body: string;
}

/** A request as Node's HTTP server hands it over, from `remoteAddress`. */
function request(
  method: string,
  url: string,
  options: { remoteAddress?: string; headers?: Record<string, string>; body?: string } = {},
): IncomingMessage {
  const stream = new PassThrough();
  stream.end(options.body ?? '');
  return Object.assign(stream, {
    method,
    url,
    headers: options.headers ?? {},
    socket: { remoteAddress: options.remoteAddress ?? '127.0.0.1' },
  }) as unknown as IncomingMessage;
}

/** Runs one request through the API and resolves with what it answered. */
function answer(
  incoming: IncomingMessage,
  postResult: PostResult = 'sent',
  more: Omit<ConnectionsApiOptions, 'stage' | 'gateway'> = {},
): Promise<{ answer: Answer; posted: string[] }> {
  const posted: string[] = [];
  const api = createConnectionsApi({
    ...more,
    stage: 'prod',
    gateway: {
      postToConnection: (id, data) => {
        posted.push(`${id}:${data.toString()}`);
        return postResult;
      },
      getConnection: () => undefined,
      deleteConnection: () => false,
    },
  });
  return new Promise((resolve) => {
    let status = 0;
    let headers: Record<string, string | number> = {};
    const response = {
      writeHead(code: number, sent: Record<string, string | number>) {
        status = code;
        headers = sent;
        return response;
      },
      end(text: string) {
        resolve({ answer: { status, headers, body: text }, posted });
      },
      destroy() {},
    };
    api(incoming, response as unknown as ServerResponse);
  });
}

describe('who the API answers', () => {
  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])('answers a program at %s', async (peer) => {
    const { answer: sent } = await answer(
      request('POST', '/prod/@connections/abc%3D', { remoteAddress: peer, body: 'hi' }),
    );
    expect(sent.status).toBe(200);
  });

  it.each(['192.0.2.7', '::ffff:192.0.2.7', 'fd00::7'])(
    'refuses %s, another machine, with 403 ForbiddenException and posts nothing',
    async (peer) => {
      // Act
      const { answer: sent, posted } = await answer(
        request('POST', '/prod/@connections/abc%3D', { remoteAddress: peer, body: 'hi' }),
      );
      // Assess
      expect(sent.status).toBe(403);
      expect(sent.headers['x-amzn-ErrorType']).toBe('ForbiddenException');
      expect(posted).toEqual([]);
    },
  );

  it('refuses a web page (a request with Origin) even from this machine', async () => {
    const { answer: sent, posted } = await answer(
      request('POST', '/prod/@connections/abc%3D', {
        headers: { origin: 'https://evil.example' },
        body: 'hi',
      }),
    );
    expect(sent.status).toBe(403);
    expect(sent.headers['x-amzn-ErrorType']).toBe('ForbiddenException');
    expect(posted).toEqual([]);
  });

  it('still answers a plain GET of the WebSocket URL from anywhere with 426', async () => {
    const { answer: sent } = await answer(request('GET', '/prod', { remoteAddress: '192.0.2.7' }));
    expect(sent.status).toBe(426);
  });
});

describe('PostToConnection outcomes', () => {
  it.each([
    ['sent', 200, undefined],
    ['gone', 410, 'GoneException'],
    ['buffer-full', 429, 'LimitExceededException'],
  ] as const)('answers a post that was %s with %i', async (result, status, errorType) => {
    // Act
    const { answer: sent, posted } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      result,
    );
    // Assess
    expect(posted).toEqual(['abc=:hello']);
    expect(sent.status).toBe(status);
    expect(sent.headers['x-amzn-ErrorType']).toBe(errorType);
    expect(sent.headers['x-amzn-RequestId']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the callback budget', () => {
  it('answers a post past it with 429 LimitExceededException before it reaches the client', async () => {
    // Act
    const { answer: sent, posted } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      { budget: { admit: () => false } },
    );
    // Assess
    expect(posted).toEqual([]);
    expect(sent.status).toBe(429);
    expect(sent.headers['x-amzn-ErrorType']).toBe('LimitExceededException');
  });

  it('says the same as a full buffer, since AWS does not tell them apart either', async () => {
    // Act
    const throttled = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      { budget: { admit: () => false } },
    );
    const bufferFull = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'buffer-full',
    );
    // Assess
    expect(throttled.answer.body).toBe(bufferFull.answer.body);
    expect(JSON.parse(throttled.answer.body).message).toMatch(/allowed number of requests/);
  });

  it('lets a post within it through', async () => {
    const { answer: sent, posted } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      { budget: { admit: () => true } },
    );
    expect(sent.status).toBe(200);
    expect(posted).toEqual(['abc=:hello']);
  });
});

describe('injected post faults', () => {
  it('answers a post with the injected status and error type, and posts nothing', async () => {
    // Act
    const { answer: sent, posted } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      {
        postFaults: {
          failureFor: () => ({
            status: 500,
            errorType: 'InternalServerErrorException',
            message: 'Internal server error',
          }),
        },
      },
    );
    // Assess
    expect(posted).toEqual([]);
    expect(sent.status).toBe(500);
    expect(sent.headers['x-amzn-ErrorType']).toBe('InternalServerErrorException');
    expect(JSON.parse(sent.body)).toEqual({ message: 'Internal server error' });
  });

  it('answers an injected 429 with the body of every other 429', async () => {
    const injected = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      {
        postFaults: {
          failureFor: () => ({
            status: 429,
            errorType: 'LimitExceededException',
            message: 'Too Many Requests',
          }),
        },
      },
    );
    const bufferFull = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'buffer-full',
    );
    expect(injected.answer.status).toBe(429);
    expect(injected.answer.body).toBe(bufferFull.answer.body);
  });

  it('answers an injected 410 as a gone connection', async () => {
    const { answer: sent } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      {
        postFaults: {
          failureFor: () => ({ status: 410, errorType: 'GoneException', message: 'Gone' }),
        },
      },
    );
    expect(sent.status).toBe(410);
    expect(sent.headers['x-amzn-ErrorType']).toBe('GoneException');
  });

  it('lets the account throttle refuse first', async () => {
    const { answer: sent } = await answer(
      request('POST', '/prod/@connections/abc%3D', { body: 'hello' }),
      'sent',
      {
        budget: { admit: () => false },
        postFaults: {
          failureFor: () => ({
            status: 500,
            errorType: 'InternalServerErrorException',
            message: '',
          }),
        },
      },
    );
    expect(sent.status).toBe(429);
  });
});
