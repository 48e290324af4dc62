/**
 * The Lambda proxy events the gateway builds, on their own: which keys each event type has, the
 * client's headers in their case, the query string, identity, and the key order of real events
 * (docs/apigw-websocket.md, "Event shapes").
 */
import { describe, expect, it } from 'vitest';
import {
  type ApiFacts,
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  messageEvent,
} from '../src/events.ts';

const GATEWAY_ID = /^[A-Za-z0-9_-]{15}=$/;
const API: ApiFacts = { apiId: 'abc123defg', stage: 'prod', domainName: '127.0.0.1:3001' };
const CONNECTED_AT = Date.UTC(2025, 2, 1, 10, 0, 0);
const CONNECTION: ConnectionFacts = {
  connectionId: 'Zx9Yw8Vu7Ts6Rq5=',
  connectedAt: CONNECTED_AT,
  sourceIp: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (test)',
};
const ADDED = { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'http' };

describe('connectEvent', () => {
  it('keeps the client headers in their case, drops Connection and Upgrade, adds the gateway ones', () => {
    // Prepare
    const rawHeaders = [
      'Host',
      '127.0.0.1:3001',
      'Connection',
      'Upgrade',
      'upgrade',
      'websocket',
      'Origin',
      'http://127.0.0.1:3000',
      'x-repeated',
      'one',
      'x-repeated',
      'two',
    ];
    // Act
    const event = connectEvent(
      API,
      CONNECTION,
      { rawHeaders, query: '', addedHeaders: ADDED },
      CONNECTED_AT + 1,
    );
    // Assess
    expect(event.headers).toEqual({
      Host: '127.0.0.1:3001',
      Origin: 'http://127.0.0.1:3000',
      'x-repeated': 'two',
      ...ADDED,
    });
    expect(event.multiValueHeaders).toEqual({
      Host: ['127.0.0.1:3001'],
      Origin: ['http://127.0.0.1:3000'],
      'x-repeated': ['one', 'two'],
      'X-Forwarded-For': ['203.0.113.7'],
      'X-Forwarded-Proto': ['http'],
    });
  });

  it('carries the query string in both forms, the last value winning in the single one', () => {
    const event = connectEvent(
      API,
      CONNECTION,
      { rawHeaders: [], query: 'room=lobby&tag=a&tag=b', addedHeaders: {} },
      CONNECTED_AT,
    );
    expect(event.queryStringParameters).toEqual({ room: 'lobby', tag: 'b' });
    expect(event.multiValueQueryStringParameters).toEqual({ room: ['lobby'], tag: ['a', 'b'] });
  });

  it('takes __proto__, constructor and toString as names like any other', () => {
    // Prepare: names an object literal would read from Object.prototype
    const rawHeaders = [
      'constructor',
      'yes',
      '__proto__',
      'header',
      'toString',
      'a',
      'toString',
      'b',
    ];
    // Act
    const event = connectEvent(
      API,
      CONNECTION,
      { rawHeaders, query: '__proto__=x&toString=1&constructor=c&constructor=d', addedHeaders: {} },
      CONNECTED_AT,
    );
    // Assess: every name is an own entry holding the client's data, and survives JSON
    const parsed = JSON.parse(JSON.stringify(event)) as Record<string, Record<string, unknown>>;
    expect(Object.entries(parsed.headers ?? {})).toEqual([
      ['constructor', 'yes'],
      ['__proto__', 'header'],
      ['toString', 'b'],
    ]);
    expect(Object.entries(parsed.multiValueHeaders ?? {})).toEqual([
      ['constructor', ['yes']],
      ['__proto__', ['header']],
      ['toString', ['a', 'b']],
    ]);
    expect(Object.entries(parsed.queryStringParameters ?? {})).toEqual([
      ['__proto__', 'x'],
      ['toString', '1'],
      ['constructor', 'd'],
    ]);
    expect(Object.entries(parsed.multiValueQueryStringParameters ?? {})).toEqual([
      ['__proto__', ['x']],
      ['toString', ['1']],
      ['constructor', ['c', 'd']],
    ]);
  });

  it.each(['', '&'])('omits both query keys for the query %j', (query) => {
    const event = connectEvent(
      API,
      CONNECTION,
      { rawHeaders: [], query, addedHeaders: {} },
      CONNECTED_AT,
    );
    expect(Object.keys(event)).toEqual([
      'headers',
      'multiValueHeaders',
      'requestContext',
      'isBase64Encoded',
    ]);
  });

  it('builds the request context in the order real events have, without messageId', () => {
    // Act
    const event = connectEvent(
      API,
      CONNECTION,
      { rawHeaders: [], query: '', addedHeaders: {} },
      CONNECTED_AT + 1,
    );
    // Assess
    const context = event.requestContext;
    expect(Object.keys(context)).toEqual([
      'routeKey',
      'eventType',
      'extendedRequestId',
      'requestTime',
      'messageDirection',
      'stage',
      'connectedAt',
      'requestTimeEpoch',
      'identity',
      'requestId',
      'domainName',
      'connectionId',
      'apiId',
    ]);
    expect(context).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      requestTime: '01/Mar/2025:10:00:00 +0000',
      messageDirection: 'IN',
      stage: 'prod',
      connectedAt: CONNECTED_AT,
      requestTimeEpoch: CONNECTED_AT + 1,
      identity: { userAgent: 'Mozilla/5.0 (test)', sourceIp: '203.0.113.7' },
      domainName: '127.0.0.1:3001',
      connectionId: 'Zx9Yw8Vu7Ts6Rq5=',
      apiId: 'abc123defg',
    });
    expect(context.requestId).toMatch(GATEWAY_ID);
    expect(context.extendedRequestId).toBe(context.requestId);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('leaves identity.userAgent out when the client sent none', () => {
    const event = connectEvent(
      API,
      { ...CONNECTION, userAgent: undefined },
      { rawHeaders: [], query: '', addedHeaders: {} },
      CONNECTED_AT,
    );
    expect(event.requestContext.identity).toEqual({ sourceIp: '203.0.113.7' });
  });
});

describe('messageEvent', () => {
  it('has the body and a messageId, and no headers', () => {
    // Act
    const event = messageEvent(
      API,
      CONNECTION,
      'sendmessage',
      '{"message":"hi"}',
      CONNECTED_AT + 5,
    );
    // Assess
    expect(Object.keys(event)).toEqual(['requestContext', 'body', 'isBase64Encoded']);
    expect(event.body).toBe('{"message":"hi"}');
    expect(Object.keys(event.requestContext).slice(0, 3)).toEqual([
      'routeKey',
      'messageId',
      'eventType',
    ]);
    expect(event.requestContext).toMatchObject({
      routeKey: 'sendmessage',
      eventType: 'MESSAGE',
      connectedAt: CONNECTED_AT,
      requestTimeEpoch: CONNECTED_AT + 5,
    });
    expect(event.requestContext.messageId).toMatch(GATEWAY_ID);
    expect(event.requestContext.messageId).not.toBe(event.requestContext.requestId);
  });

  it('gives every frame its own request id', () => {
    const first = messageEvent(API, CONNECTION, '$default', 'a', CONNECTED_AT);
    const second = messageEvent(API, CONNECTION, '$default', 'a', CONNECTED_AT);
    expect(first.requestContext.requestId).not.toBe(second.requestContext.requestId);
  });
});

describe('disconnectEvent', () => {
  it('has the four synthetic headers, the close code and reason, and no body', () => {
    // Act
    const event = disconnectEvent(API, CONNECTION, 1001, 'Going away', CONNECTED_AT + 9);
    // Assess
    expect(event.headers).toEqual({
      Host: '127.0.0.1:3001',
      'x-api-key': '',
      'X-Forwarded-For': '',
      'x-restapi': '',
    });
    expect(event.multiValueHeaders).toEqual({
      Host: ['127.0.0.1:3001'],
      'x-api-key': [''],
      'X-Forwarded-For': [''],
      'x-restapi': [''],
    });
    expect(event).not.toHaveProperty('body');
    expect(Object.keys(event.requestContext).slice(0, 7)).toEqual([
      'routeKey',
      'disconnectStatusCode',
      'eventType',
      'extendedRequestId',
      'requestTime',
      'messageDirection',
      'disconnectReason',
    ]);
    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
      identity: { userAgent: 'Mozilla/5.0 (test)', sourceIp: '203.0.113.7' },
    });
    expect(event.requestContext).not.toHaveProperty('messageId');
  });
});

describe('the authorizer context', () => {
  it('is on CONNECT, MESSAGE and DISCONNECT alike once an authorizer allowed the handshake', () => {
    // Prepare
    const authorizer = { principalId: 'user-1', integrationLatency: 12, senderName: 'Ada' };
    const connection = { ...CONNECTION, authorizer };
    const handshake = { rawHeaders: [], query: '', addedHeaders: {} };
    // Act
    const events = [
      connectEvent(API, connection, handshake, CONNECTED_AT),
      messageEvent(API, connection, '$default', '{}', CONNECTED_AT + 1),
      disconnectEvent(API, connection, 1000, '', CONNECTED_AT + 2),
    ];
    // Assess
    for (const event of events) expect(event.requestContext.authorizer).toEqual(authorizer);
    expect(
      connectEvent(API, CONNECTION, handshake, CONNECTED_AT).requestContext,
    ).not.toHaveProperty('authorizer');
  });
});
