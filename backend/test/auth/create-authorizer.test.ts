/**
 * The `$connect` authorizer with the real token verifier (aws-jwt-verify) against keys made in
 * the test: the result for a valid token, and every refusal API Gateway must answer with 401
 * before the socket opens. The issuer's keys come from a fake https fetcher, so nothing leaves
 * the process.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { AuthorizerConfig } from '../../src/auth/authorizer-config.ts';
import type { AuthorizerLog, WebSocketAuthorizerEvent } from '../../src/auth/create-authorizer.ts';
import { createAuthorizer } from '../../src/auth/create-authorizer.ts';
import { createKeyFetcher } from '../../src/auth/key-fetcher.ts';
import { senderIdFor } from '../../src/auth/sender.ts';
import { createTokenVerifier } from '../../src/auth/token-verifier.ts';
import {
  AUDIENCE,
  COGNITO_ISSUER,
  claims,
  hmacForgery,
  ISSUER,
  makeKeys,
  nowSeconds,
  signToken,
  USER_POOL_ID,
  unsignedToken,
} from '../support/tokens.ts';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:111122223333:abc123/prod/$connect';
const JWKS_URI = `${ISSUER}/keys`;
const keys = makeKeys();
const otherKeys = makeKeys(keys.kid);

const OIDC: AuthorizerConfig = {
  mode: 'oidc',
  issuer: ISSUER,
  jwksUri: JWKS_URI,
  audience: [AUDIENCE],
  nameClaims: contract.auth.nameClaims,
};

/** An https fetcher that serves the test's JWKS at any URL, counting its fetches. */
function fakeHttps(jwks: unknown = keys.jwks): Fetcher & { readonly fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    async fetch(uri) {
      fetched.push(uri);
      return new TextEncoder().encode(JSON.stringify(jwks)).buffer as ArrayBuffer;
    },
  };
}

function setUp(config: AuthorizerConfig = OIDC, https: Fetcher = fakeHttps()) {
  const logs: AuthorizerLog[] = [];
  const authorize = createAuthorizer({
    verifier: createTokenVerifier(config, createKeyFetcher(https)),
    nameClaims: config.nameClaims,
    log: (line) => logs.push(line),
  });
  return { authorize, logs };
}

/** The authorizer's input for a handshake that offers these subprotocols. */
function handshake(
  protocols: string | undefined,
  query?: Record<string, string>,
): WebSocketAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: {
      Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      ...(protocols !== undefined && { 'Sec-WebSocket-Protocol': protocols }),
    },
    ...(query !== undefined && { queryStringParameters: query }),
    requestContext: { connectionId: 'conn0000000000A=', requestId: 'req0000000000AA=' },
  };
}

const offering = (token: string): string => `awsome-chat, bearer.${token}`;

describe('the authorizer, for a valid token', () => {
  it('allows exactly this handshake and passes the verified sender, room and version as strings', async () => {
    // Prepare
    const { authorize, logs } = setUp();
    const token = signToken(keys, claims());

    // Act
    const result = await authorize(handshake(offering(token), { room: 'Support', v: '3' }));

    // Assess
    const senderId = senderIdFor(ISSUER, 'user-ada');
    expect(result).toEqual({
      principalId: senderId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: { senderId, senderName: 'Ada Lovelace', room: 'support', protocolVersion: '3' },
    });
    expect(Object.values(result.context).every((value) => typeof value === 'string')).toBe(true);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'info', outcome: 'authorized', senderId }),
    ]);
    expect(JSON.stringify(logs)).not.toContain(token);
  });

  it('stays far under API Gateway 8 KB result limit with the longest name and room', async () => {
    // Prepare
    const { authorize } = setUp();
    const token = signToken(keys, claims({ name: 'ü'.repeat(64) }));

    // Act
    const result = await authorize(handshake(offering(token), { room: 'r'.repeat(32), v: '1000' }));

    // Assess
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(1024);
  });

  it('leaves a malformed room or version out, for $connect to refuse', async () => {
    const { authorize } = setUp();

    const result = await authorize(
      handshake(offering(signToken(keys, claims())), { room: 'no room!', v: 'three' }),
    );

    expect(result.context).not.toHaveProperty('room');
    expect(result.context).not.toHaveProperty('protocolVersion');
  });

  it('takes the name from the first usable claim, and never shows a name the text rules refuse', async () => {
    // Prepare: a self-chosen name that reverses what follows it, then a good username
    const { authorize } = setUp();
    const forged = signToken(keys, claims({ name: '\u202eAdmin', preferred_username: 'ada' }));
    const nameless = signToken(keys, claims({ name: undefined, sub: 'user-x' }));

    // Act
    const first = await authorize(handshake(offering(forged)));
    const second = await authorize(handshake(offering(nameless)));

    // Assess
    expect(first.context.senderName).toBe('ada');
    expect(second.context.senderName).toBe(`user-${senderIdFor(ISSUER, 'user-x').slice(0, 6)}`);
  });

  it('fetches the issuer keys once and keeps them for later handshakes', async () => {
    // Prepare
    const https = fakeHttps();
    const { authorize } = setUp(OIDC, https);

    // Act
    await authorize(handshake(offering(signToken(keys, claims()))));
    await authorize(handshake(offering(signToken(keys, claims({ sub: 'user-bob' })))));

    // Assess
    expect(https.fetched).toEqual([JWKS_URI]);
  });

  it('gives one person the same sender id on every token, and two issuers different ones', async () => {
    const { authorize } = setUp();

    const one = await authorize(handshake(offering(signToken(keys, claims()))));
    const two = await authorize(handshake(offering(signToken(keys, claims({ iat: 1 })))));

    expect(one.principalId).toBe(two.principalId);
    expect(one.principalId).not.toBe(senderIdFor('https://other.example.com', 'user-ada'));
    expect(one.principalId).not.toContain('user-ada');
  });
});

describe('the authorizer refuses with Unauthorized (API Gateway: 401)', () => {
  const now = nowSeconds();
  const cases: ReadonlyArray<readonly [string, () => string | undefined, string]> = [
    ['no Sec-WebSocket-Protocol header', () => undefined, 'token_missing'],
    ['protocols without a token', () => 'awsome-chat', 'token_missing'],
    ['an empty token', () => 'awsome-chat, bearer.', 'token_missing'],
    ['a token too long to be one', () => offering('a'.repeat(9000)), 'token_missing'],
    ['a token that is not a JWT', () => offering('not.a.jwt'), 'malformed'],
    ['an expired token', () => offering(signToken(keys, claims({ exp: now - 60 }))), 'expired'],
    [
      'a token not valid yet',
      () => offering(signToken(keys, claims({ nbf: now + 600 }))),
      'not_yet_valid',
    ],
    [
      'a token of another issuer',
      () => offering(signToken(keys, claims({ iss: 'https://evil.example.com' }))),
      'issuer',
    ],
    [
      'a token for another audience',
      () => offering(signToken(keys, claims({ aud: 'another-app' }))),
      'audience',
    ],
    [
      'a token signed by another key under the same key id',
      () => offering(signToken(otherKeys, claims())),
      'signature',
    ],
    [
      // Refused before any key is looked at: without a signature it is no signed JWT at all.
      'an unsigned token (alg: none)',
      () => offering(unsignedToken(keys.kid, claims())),
      'malformed',
    ],
    [
      'a token that says alg: none but carries a signature',
      () => offering(`${unsignedToken(keys.kid, claims())}c2lnbmF0dXJl`),
      'algorithm',
    ],
    [
      'an HS256 token keyed with the public key (algorithm confusion)',
      () => offering(hmacForgery(keys, claims())),
      'algorithm',
    ],
    [
      'a token whose key id the issuer does not publish',
      () => offering(signToken({ ...keys, kid: 'unknown' }, claims())),
      'unknown_key',
    ],
    [
      'a token without a subject',
      () => offering(signToken(keys, claims({ sub: undefined }))),
      'subject_missing',
    ],
  ];

  it.each(cases)('%s', async (_case, protocols, reason) => {
    // Prepare
    const { authorize, logs } = setUp();

    // Act
    const refused = authorize(handshake(protocols()));

    // Assess
    await expect(refused).rejects.toThrow(/^Unauthorized$/);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'warn', outcome: 'unauthorized', reason }),
    ]);
  });
});

describe('the authorizer for a Cognito user pool', () => {
  const COGNITO: AuthorizerConfig = {
    mode: 'cognito',
    userPoolId: USER_POOL_ID,
    audience: [AUDIENCE],
    nameClaims: contract.auth.nameClaims,
  };
  const cognitoClaims = (overrides: Record<string, unknown> = {}) =>
    claims({
      iss: COGNITO_ISSUER,
      token_use: 'id',
      'cognito:username': 'ada',
      name: undefined,
      ...overrides,
    });

  it("allows the pool's ID token for the app client, named by its user name", async () => {
    // Prepare
    const https = fakeHttps();
    const { authorize } = setUp(COGNITO, https);

    // Act
    const result = await authorize(handshake(offering(signToken(keys, cognitoClaims()))));

    // Assess
    expect(result.context).toMatchObject({
      senderId: senderIdFor(`cognito:${USER_POOL_ID}`, 'user-ada'),
      senderName: 'ada',
    });
    expect(https.fetched).toEqual([`${COGNITO_ISSUER}/.well-known/jwks.json`]);
  });

  it.each([
    ['an access token', { token_use: 'access' }, 'token_use'],
    ['a token of another app client', { aud: 'another-app' }, 'audience'],
    [
      'a token of another pool',
      { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' },
      'issuer',
    ],
  ])('refuses %s', async (_case, overrides, reason) => {
    const { authorize, logs } = setUp(COGNITO);

    await expect(
      authorize(handshake(offering(signToken(keys, cognitoClaims(overrides))))),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(logs).toMatchObject([{ outcome: 'unauthorized', reason }]);
  });
});

describe('the authorizer when it cannot check', () => {
  it('fails with an error that is not Unauthorized (API Gateway: 500) when the keys cannot be fetched', async () => {
    // Prepare
    const { authorize, logs } = setUp(OIDC, {
      fetch: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });

    // Act
    const failed = authorize(handshake(offering(signToken(keys, claims()))));

    // Assess
    await expect(failed).rejects.toThrow('The token could not be checked');
    expect(logs).toMatchObject([{ level: 'error', outcome: 'error' }]);
  });
});
