/**
 * What the gateway answers, on its own: the handshake status for each `$connect` outcome, the
 * subprotocol, the close status `$disconnect` reports, and the exact bytes of AWS's error frames
 * and handshake refusals.
 */
import { describe, expect, it } from 'vitest';
import {
  clientCloseStatus,
  errorFrame,
  handshakeRefusal,
  handshakeStatus,
  type IntegrationResult,
  subprotocolOf,
} from '../src/gateway-responses.ts';

function returned(result: unknown): IntegrationResult {
  return { timedOut: false, outcome: { ok: true, result, awsRequestId: 'request-1' } };
}

describe('handshakeStatus', () => {
  it.each([
    ['200', returned({ statusCode: 200 }), 200],
    ['201', returned({ statusCode: 201 }), 201],
    ['a numeric string', returned({ statusCode: '204' }), 204],
    ['401', returned({ statusCode: 401 }), 401],
    ['301', returned({ statusCode: 301 }), 301],
    ['501', returned({ statusCode: 501 }), 501],
    ['no statusCode', returned({ body: 'hi' }), 200],
    ['nothing', returned(undefined), 200],
    ['a statusCode out of range', returned({ statusCode: 99 }), 502],
    ['a statusCode that is not a number', returned({ statusCode: 'ok' }), 502],
  ])('answers a $connect that returned %s with its status', (_name, result, status) => {
    expect(handshakeStatus(result)).toBe(status);
  });

  it('answers 502 when $connect failed', () => {
    const failed: IntegrationResult = {
      timedOut: false,
      outcome: { ok: false, errorType: 'Error', errorMessage: 'boom', awsRequestId: 'r' },
    };
    expect(handshakeStatus(failed)).toBe(502);
  });

  it('answers 504 when $connect outlived the integration timeout', () => {
    expect(handshakeStatus({ timedOut: true })).toBe(504);
  });
});

describe('subprotocolOf', () => {
  it.each([
    ['the header in any case', { headers: { 'sec-WebSocket-protocol': 'chat.v1' } }, 'chat.v1'],
    ['no headers', { statusCode: 200 }, undefined],
    ['other headers', { headers: { 'X-Other': 'chat.v1' } }, undefined],
    ['a non-string value', { headers: { 'Sec-WebSocket-Protocol': ['chat.v1'] } }, undefined],
    ['headers that are not an object', { headers: 'Sec-WebSocket-Protocol' }, undefined],
    ['no object at all', 'chat.v1', undefined],
  ])('reads %s', (_name, response, protocol) => {
    expect(subprotocolOf(response)).toBe(protocol);
  });
});

describe('clientCloseStatus', () => {
  it.each([
    [4000, 'bye now', { code: 4000, reason: 'bye now' }],
    [1001, '', { code: 1001, reason: '' }],
    [1005, '', { code: 1005, reason: 'Client-side close frame status not set' }],
    [1006, '', { code: 1006, reason: '' }],
  ])('reports a client close with %i %j as AWS does', (code, reason, status) => {
    expect(clientCloseStatus(code, reason)).toEqual(status);
  });
});

describe('errorFrame', () => {
  it('writes the bytes AWS writes, spacing included', () => {
    expect(errorFrame('Forbidden', 'XDmENcnwIE0CFEQ=', 'XDmGEE2RoE0FRdQ=')).toBe(
      '{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}',
    );
  });

  it('is valid JSON with exactly the three keys', () => {
    const frame = JSON.parse(errorFrame('Internal server error', 'c=', 'r='));
    expect(frame).toEqual({
      message: 'Internal server error',
      connectionId: 'c=',
      requestId: 'r=',
    });
  });
});

describe('handshakeRefusal', () => {
  it.each([
    [403, 'Forbidden', '{"message":"Forbidden"}'],
    [400, 'Bad Request', ''],
    [401, 'Unauthorized', ''],
    [502, 'Bad Gateway', '{"message": "Internal server error"}'],
  ])('refuses with %i', (status, text, body) => {
    // Act
    const response = handshakeRefusal(status, 'R1knPHYnNjMFaRg=');
    // Assess
    const [head, sentBody] = response.split('\r\n\r\n');
    expect(head?.split('\r\n')).toEqual([
      `HTTP/1.1 ${status} ${text}`,
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      'x-amzn-RequestId: R1knPHYnNjMFaRg=',
    ]);
    expect(sentBody).toBe(body);
  });
});
