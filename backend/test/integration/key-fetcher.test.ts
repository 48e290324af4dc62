/**
 * The authorizer's fetches against a real issuer on the loopback interface, as the local stack
 * runs one: discovery, the keys over plain http, and the URLs it refuses to fetch at all.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFetcher, discoverJwksUri, KeyFetchError } from '../../src/auth/key-fetcher.ts';
import { createTokenVerifier } from '../../src/auth/token-verifier.ts';
import { claims, makeKeys, signToken } from '../support/tokens.ts';

const keys = makeKeys();
let server: Server;
let issuer: string;
/** What the issuer's discovery document says, changed by some tests. */
let discovery: Record<string, unknown>;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const body =
      request.url === '/.well-known/openid-configuration'
        ? discovery
        : request.url === '/jwks'
          ? keys.jwks
          : undefined;
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const sameIssuer = () => ({ issuer, jwks_uri: `${issuer}/jwks` });

describe('discoverJwksUri on loopback', () => {
  it("reads the keys' URL from the issuer's discovery document", async () => {
    discovery = sameIssuer();

    await expect(discoverJwksUri(issuer, createKeyFetcher())).resolves.toBe(`${issuer}/jwks`);
  });

  it.each([
    ['names another issuer', () => ({ issuer: 'http://127.0.0.1:1', jwks_uri: `${issuer}/jwks` })],
    ['has no jwks_uri', () => ({ issuer })],
    [
      'points its keys off loopback over http',
      () => ({ issuer, jwks_uri: 'http://example.com/k' }),
    ],
  ])('refuses a document that %s', async (_case, document) => {
    discovery = document();

    await expect(discoverJwksUri(issuer, createKeyFetcher())).rejects.toThrow(KeyFetchError);
  });
});

describe('the token verifier with the local issuer', () => {
  it('discovers the keys over plain http on loopback and verifies a token with them', async () => {
    // Prepare
    discovery = sameIssuer();
    requested.length = 0;
    const verifier = createTokenVerifier(
      { mode: 'oidc', issuer, jwksUri: undefined, audience: ['local'], nameClaims: [] },
      createKeyFetcher(),
    );

    // Act
    const first = await verifier.verify(signToken(keys, claims({ iss: issuer, aud: 'local' })));
    await verifier.verify(signToken(keys, claims({ iss: issuer, aud: 'local', sub: 'bob' })));

    // Assess: one discovery, one key fetch, for both tokens
    expect(first.payload.sub).toBe('user-ada');
    expect(requested).toEqual(['/.well-known/openid-configuration', '/jwks']);
  });
});

describe('createKeyFetcher', () => {
  it.each([
    'http://example.com/jwks',
    'http://10.0.0.1/jwks',
    'http://169.254.169.254/latest/meta-data',
    'file:///etc/passwd',
  ])('refuses to fetch %s at all', async (uri) => {
    const https = { fetch: async () => new ArrayBuffer(0) };

    await expect(createKeyFetcher(https).fetch(uri)).rejects.toThrow(KeyFetchError);
  });

  it('hands https to the https fetcher', async () => {
    const fetched: string[] = [];
    const https = {
      fetch: async (uri: string) => {
        fetched.push(uri);
        return new ArrayBuffer(0);
      },
    };

    await createKeyFetcher(https).fetch('https://issuer.example.com/jwks');

    expect(fetched).toEqual(['https://issuer.example.com/jwks']);
  });

  it('refuses an answer other than 200 from loopback', async () => {
    await expect(createKeyFetcher().fetch(`${issuer}/missing`)).rejects.toThrow('404');
  });
});
