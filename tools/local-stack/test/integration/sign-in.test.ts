/**
 * Sign-in offline (`npm start -- --auth`), end to end on the real bundles: the local OpenID
 * Connect issuer signs dev users in, the authorizer bundle checks their tokens on `$connect`, and
 * the chat carries their verified names. Then the attacks of issue 20: a forged, expired,
 * wrong-issuer, wrong-audience and unsigned (`alg: none`) token are each refused before the socket
 * opens. The issuer's signing key is made here and handed to the stack, so the test can sign
 * tokens the issuer would never issue.
 */
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, signInDevUser } from '../../../../scripts/lib/dev-sign-in.ts';
import { DEV_USERS } from '../../src/dev-users.ts';
import { HandshakeRefused, TestClient } from '../support/helpers.ts';
import { useLocalStack } from '../support/stack-setup.ts';

/** A private RSA key as a JWK with a `kid`, as the issuer takes it. */
function rsaKey(kid: string): JsonWebKey & { kid: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid };
}

const ISSUER_KEY = rsaKey('issuer-key');
const FORGER_KEY = rsaKey('issuer-key');

const local = useLocalStack({ auth: { issuerPort: 0, signingKey: ISSUER_KEY } });

/** A JWT signed RS256 with `key` (or unsigned with `alg: none`). */
function jwt(
  claims: Record<string, unknown>,
  key: JsonWebKey | 'none',
  kid = 'issuer-key',
): string {
  const header = key === 'none' ? { alg: 'none', typ: 'JWT' } : { alg: 'RS256', typ: 'JWT', kid };
  const encode = (value: object): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  if (key === 'none') return `${input}.`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey({ key, format: 'jwk' }));
  return `${input}.${signature.toString('base64url')}`;
}

/** What the issuer would put in Alice's ID token, valid for an hour. */
function aliceClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: local.stack.auth?.issuer,
    aud: LOCAL_CLIENT_ID,
    sub: 'dev-alice',
    name: 'Alice Liddell',
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Connects to `room` offering the chat's subprotocol and the token, as the page does. */
function connectWith(token: string, room = 'signed-in'): Promise<TestClient> {
  return TestClient.connect(`${local.stack.websocketUrl}?room=${room}&v=3`, {}, [
    'awsome-chat',
    `bearer.${token}`,
  ]);
}

/** The chat messages a client received. */
function messagesOf(client: TestClient): Record<string, unknown>[] {
  return client.received
    .map((frame) => JSON.parse(frame) as Record<string, unknown>)
    .filter((event) => event.type === 'message');
}

describe('sign-in offline', () => {
  it('tells the page the issuer and its client id in config.js', async () => {
    // Act
    const config = await (await fetch(new URL('config.js', local.stack.pageUrl))).text();
    // Assess
    const json = /window\.CHAT_CONFIG = (.*);/.exec(config)?.[1] ?? '{}';
    expect(JSON.parse(json)).toMatchObject({
      auth: { issuer: local.stack.auth?.issuer, clientId: LOCAL_CLIENT_ID },
    });
    expect(local.stack.auth?.users).toEqual(DEV_USERS.map((user) => user.username));
  });

  it('lets dev users signed in at the issuer chat under their verified names', {
    timeout: 60_000,
  }, async () => {
    // Prepare: two dev users, signed in through the authorization code flow with PKCE
    const issuer = local.stack.auth?.issuer ?? '';
    const [alice, bob] = await Promise.all([
      signInDevUser(issuer, 'alice'),
      signInDevUser(issuer, 'bob'),
    ]);
    const [aliceClient, bobClient] = await Promise.all([
      connectWith(alice.idToken),
      connectWith(bob.idToken),
    ]);

    // Act: Alice claims another name in her frame
    aliceClient.sendJson({ message: 'hello bob', senderName: 'Not Alice' });
    while (messagesOf(bobClient).length === 0) await bobClient.frame(bobClient.received.length);

    // Assess: the subprotocol is echoed, and the name is the issuer's
    expect(aliceClient.socket.protocol).toBe('awsome-chat');
    expect(messagesOf(bobClient)[0]).toMatchObject({
      message: 'hello bob',
      senderName: 'Alice Liddell',
      senderId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    });
    expect(alice.expiresIn).toBe(3600);
    await Promise.all([aliceClient.close(), bobClient.close()]);
  });

  it('accepts a token the test signs with the issuer key, so the refusals below are the claims', async () => {
    const client = await connectWith(jwt(aliceClaims(), ISSUER_KEY));
    expect(client.socket.protocol).toBe('awsome-chat');
    await client.close();
  });

  it.each([
    [
      'forged (signed by another key under the issuer key id)',
      () => jwt(aliceClaims(), FORGER_KEY),
    ],
    [
      'expired',
      () =>
        jwt(
          aliceClaims({
            iat: Math.floor(Date.now() / 1000) - 7200,
            exp: Math.floor(Date.now() / 1000) - 3600,
          }),
          ISSUER_KEY,
        ),
    ],
    ['of another issuer', () => jwt(aliceClaims({ iss: 'http://127.0.0.1:1' }), ISSUER_KEY)],
    ['for another audience', () => jwt(aliceClaims({ aud: 'another-client' }), ISSUER_KEY)],
    ['unsigned (alg: none)', () => jwt(aliceClaims(), 'none')],
    [
      'signed with a key id the issuer does not have',
      () => jwt(aliceClaims(), ISSUER_KEY, 'other'),
    ],
    ['not a token at all', () => 'garbage'],
  ])('refuses a token %s with 401 before the socket opens', async (_case, token) => {
    await expect(connectWith(token())).rejects.toEqual(new HandshakeRefused(401));
  });
});
