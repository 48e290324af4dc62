/**
 * The `$connect` authorizer as API Gateway runs it, on its own: identity sources, the REQUEST
 * input, and how the authorizer's answer maps to the handshake (401, 403, 500 or on, with the
 * context every later event carries). docs/apigw-websocket.md, "Lambda authorizers".
 */
import { describe, expect, it } from 'vitest';
import { type ApiFacts, type ConnectionFacts, connectEvent } from '../src/events.ts';
import type { IntegrationResult } from '../src/gateway-responses.ts';
import {
  authorizerDecision,
  authorizerRequestEvent,
  connectMethodArn,
  MAX_AUTHORIZER_RESULT_BYTES,
  missingIdentitySource,
  parseIdentitySource,
  SUBPROTOCOL_IDENTITY_SOURCE,
  withAuthorizer,
} from '../src/lambda-authorizer.ts';

const API: ApiFacts = { apiId: 'abc123defg', stage: 'prod', domainName: '127.0.0.1:3001' };
const CONNECTION: ConnectionFacts = {
  connectionId: 'Zx9Yw8Vu7Ts6Rq5=',
  connectedAt: Date.UTC(2025, 2, 1, 10, 0, 0),
  sourceIp: '203.0.113.7',
  userAgent: undefined,
};
const ARN = connectMethodArn({
  region: 'us-east-1',
  accountId: '000000000000',
  apiId: API.apiId,
  stage: API.stage,
});
const HEADER = [parseIdentitySource(SUBPROTOCOL_IDENTITY_SOURCE)];

function returned(result: unknown): IntegrationResult {
  return { timedOut: false, outcome: { ok: true, result, awsRequestId: 'r' } };
}

function threw(errorMessage: string, errorType = 'Error'): IntegrationResult {
  return { timedOut: false, outcome: { ok: false, errorType, errorMessage, awsRequestId: 'r' } };
}

function allow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    principalId: 'user-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ARN }],
    },
    context: { senderId: 'AbCdEfGhIj0123_-', senderName: 'Ada' },
    ...overrides,
  };
}

describe('identity sources', () => {
  it('reads header and query string sources, and refuses the rest', () => {
    expect(parseIdentitySource('route.request.header.Sec-WebSocket-Protocol')).toEqual({
      kind: 'header',
      name: 'Sec-WebSocket-Protocol',
    });
    expect(parseIdentitySource('route.request.querystring.token')).toEqual({
      kind: 'querystring',
      name: 'token',
    });
    expect(() => parseIdentitySource('stageVariables.x')).toThrow(/Unsupported identity source/);
  });

  it.each([
    ['no header at all', [], ''],
    ['an empty header', ['Sec-WebSocket-Protocol', ''], ''],
    ['a header of spaces', ['sec-websocket-protocol', '  '], ''],
  ])('finds the header missing with %s', (_case, rawHeaders, query) => {
    expect(missingIdentitySource(HEADER, { rawHeaders, query })).toEqual(HEADER[0]);
  });

  it('finds the header in any case', () => {
    const rawHeaders = ['sec-websocket-protocol', 'awsome-chat, bearer.x'];
    expect(missingIdentitySource(HEADER, { rawHeaders, query: '' })).toBeUndefined();
  });

  it('wants every source: a query string key exactly, and not empty', () => {
    const sources = [...HEADER, parseIdentitySource('route.request.querystring.token')];
    const rawHeaders = ['Sec-WebSocket-Protocol', 'p'];
    expect(missingIdentitySource(sources, { rawHeaders, query: 'Token=1' })).toEqual(sources[1]);
    expect(missingIdentitySource(sources, { rawHeaders, query: 'token=' })).toEqual(sources[1]);
    expect(missingIdentitySource(sources, { rawHeaders, query: 'token=1' })).toBeUndefined();
    expect(missingIdentitySource(sources, { rawHeaders, query: '__proto__=1' })).toEqual(
      sources[1],
    );
  });
});

describe('the REQUEST input', () => {
  it('has the type, the method ARN, every handshake header, the query string and the CONNECT context', () => {
    // Prepare
    const handshake = {
      rawHeaders: ['Host', API.domainName, 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
      query: 'room=lobby&v=3',
      addedHeaders: { 'X-Forwarded-For': '203.0.113.7' },
    };
    const connect = connectEvent(API, CONNECTION, handshake, CONNECTION.connectedAt);
    // Act
    const event = authorizerRequestEvent(ARN, connect, handshake);
    // Assess
    expect(Object.keys(event)).toEqual([
      'type',
      'methodArn',
      'headers',
      'multiValueHeaders',
      'queryStringParameters',
      'multiValueQueryStringParameters',
      'stageVariables',
      'requestContext',
    ]);
    expect(event.type).toBe('REQUEST');
    expect(event.methodArn).toBe(
      'arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/$connect',
    );
    // Unlike $connect's, the authorizer's headers keep Connection and Upgrade.
    expect(event.headers).toEqual({
      Host: API.domainName,
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'X-Forwarded-For': '203.0.113.7',
    });
    expect(event.queryStringParameters).toEqual({ room: 'lobby', v: '3' });
    expect(event.stageVariables).toEqual({});
    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: CONNECTION.connectionId,
    });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });
});

describe('authorizerDecision', () => {
  it('lets an Allow through with principalId, integrationLatency and the context as strings', () => {
    // Act
    const decision = authorizerDecision(
      returned(allow({ context: { senderName: 'Ada', count: 3, admin: false } })),
      ARN,
      42,
    );
    // Assess
    expect(decision.allowed).toBe(true);
    if (!decision.allowed) return;
    expect({ ...decision.authorizer }).toEqual({
      principalId: 'user-1',
      integrationLatency: 42,
      senderName: 'Ada',
      count: '3',
      admin: 'false',
    });
    expect(Object.keys(decision.authorizer).slice(0, 2)).toEqual([
      'principalId',
      'integrationLatency',
    ]);
  });

  it('lets a wildcard Allow through, and needs no context', () => {
    const wildcard = allow({
      context: undefined,
      policyDocument: {
        Statement: { Action: 'execute-api:*', Effect: 'Allow', Resource: 'arn:aws:execute-api:*' },
      },
    });
    expect(authorizerDecision(returned(wildcard), ARN, 1)).toMatchObject({ allowed: true });
  });

  it.each([
    ['an error "Unauthorized"', threw('Unauthorized'), 401],
    ['any other error', threw('The token could not be checked'), 500],
    ['an error "unauthorized" in another case', threw('unauthorized'), 500],
    ['a crash of the runtime', threw('exited', 'Runtime.ExitError'), 500],
    ['a timeout', { timedOut: true } as const, 500],
    ['no object', returned('Allow'), 500],
    ['no principalId', returned(allow({ principalId: undefined })), 500],
    ['no policy', returned(allow({ policyDocument: undefined })), 500],
    ['an object in the context', returned(allow({ context: { nested: { a: 1 } } })), 500],
    ['an array in the context', returned(allow({ context: { list: [1] } })), 500],
    [
      'a result over 8 KB',
      returned(allow({ context: { big: 'x'.repeat(MAX_AUTHORIZER_RESULT_BYTES) } })),
      500,
    ],
    [
      'a Deny',
      returned(
        allow({
          policyDocument: {
            Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ARN }],
          },
        }),
      ),
      403,
    ],
    [
      'an Allow and a Deny (Deny wins)',
      returned(
        allow({
          policyDocument: {
            Statement: [
              { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ARN },
              { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*' },
            ],
          },
        }),
      ),
      403,
    ],
    [
      'an Allow of another route',
      returned(
        allow({
          policyDocument: {
            Statement: [
              {
                Action: 'execute-api:Invoke',
                Effect: 'Allow',
                Resource: ARN.replace('$connect', 'other'),
              },
            ],
          },
        }),
      ),
      403,
    ],
    [
      'an Allow of another action',
      returned(
        allow({
          policyDocument: {
            Statement: [
              { Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: ARN },
            ],
          },
        }),
      ),
      403,
    ],
  ])('refuses %s with %i', (_case, result, status) => {
    expect(authorizerDecision(result, ARN, 1)).toMatchObject({ allowed: false, status });
  });

  it('keeps principalId and integrationLatency its own, whatever the context says', () => {
    const decision = authorizerDecision(
      returned(allow({ context: { principalId: 'forged', integrationLatency: 'forged' } })),
      ARN,
      7,
    );
    expect(decision).toMatchObject({
      allowed: true,
      authorizer: { principalId: 'user-1', integrationLatency: 7 },
    });
  });

  it('hands the context to the connection, for every later event', () => {
    const decision = authorizerDecision(returned(allow()), ARN, 5);
    expect(withAuthorizer(CONNECTION, decision).authorizer).toMatchObject({
      principalId: 'user-1',
      senderName: 'Ada',
    });
    expect(withAuthorizer(CONNECTION, undefined)).toBe(CONNECTION);
  });
});
