/**
 * The attacks of issue 20 without sign-in, on the real bundle: each client connects from its own
 * loopback address (127.0.0.2 and up; Linux routes all of 127.0.0.0/8 to the loopback
 * interface), so the function's per-address limits apply as they do on AWS, where only the local
 * stack's own default addresses (127.0.0.1, ::1) are exempt. Every message carries a client id,
 * so each one ends in an `ack` or an error for its sender: the counts need no waiting on time.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { HandshakeRefused, TestClient } from '../support/helpers.ts';
import { useLocalStack } from '../support/stack-setup.ts';

/** A burst of 10 and 1 frame a second (per connection and per address), 3 connections each. */
const BURST = 10;
const PER_SECOND = 1;
const MAX_CONNECTIONS = 3;

const local = useLocalStack({
  env: {
    [contract.environment.rateLimitBurst]: String(BURST),
    [contract.environment.rateLimitPerSecond]: String(PER_SECOND),
    [contract.environment.maxConnectionsPerPerson]: String(MAX_CONNECTIONS),
  },
});

/** What the server sent a client. */
interface ServerFrame {
  readonly type?: string;
  readonly code?: string;
  readonly clientId?: string;
  readonly message?: string;
}

function framesOf(client: TestClient): ServerFrame[] {
  return client.received.map((frame) => JSON.parse(frame) as ServerFrame);
}

/** Connects from `localAddress` to `room`. */
function connectFrom(localAddress: string, room: string): Promise<TestClient> {
  return TestClient.connect(`${local.stack.websocketUrl}?room=${room}&v=3`, { localAddress });
}

/** Sends `count` chat messages with client ids, and returns the ids. */
function sendMessages(client: TestClient, count: number, text: string): string[] {
  return Array.from({ length: count }, (_unused, index) => {
    const clientId = randomUUID();
    client.sendJson({ message: `${text} ${index}`, clientId });
    return clientId;
  });
}

/** How each message of `ids` ended for its sender: `ack`, or the error code. */
function outcomesOf(client: TestClient, ids: readonly string[]): string[] {
  const wanted = new Set(ids);
  return framesOf(client)
    .filter((frame) => frame.clientId !== undefined && wanted.has(frame.clientId))
    .map((frame) => (frame.type === 'ack' ? 'ack' : (frame.code ?? 'other')));
}

/** Waits until every message of `ids` has its outcome, or the connection closed. */
async function settled(client: TestClient, ids: readonly string[]): Promise<string[]> {
  while (outcomesOf(client, ids).length < ids.length) {
    try {
      await client.frame(client.received.length);
    } catch {
      break; // closed: what it was told before is all there is
    }
  }
  return outcomesOf(client, ids);
}

/** The most messages one address may get accepted in `seconds`: a burst, then the rate. */
function allowance(seconds: number): number {
  return BURST + Math.ceil(PER_SECOND * seconds);
}

describe('without sign-in, limits hold per source address', () => {
  it('reconnecting every 10 messages gains nothing', { timeout: 120_000 }, async () => {
    // Prepare
    const started = Date.now();
    let accepted = 0;
    let refused = 0;
    let handshakesRefused = 0;

    // Act: three rounds of 10 messages, each on a new connection from 127.0.0.2
    for (let round = 0; round < 3; round++) {
      let client: TestClient;
      try {
        client = await connectFrom('127.0.0.2', 'attack-reconnect');
      } catch (error) {
        // A person in the overdraft of their budget may not come back at once: 429.
        expect(error).toEqual(new HandshakeRefused(429));
        handshakesRefused++;
        continue;
      }
      const ids = sendMessages(client, 10, `round ${round}`);
      const outcomes = await settled(client, ids);
      accepted += outcomes.filter((outcome) => outcome === 'ack').length;
      refused += outcomes.filter((outcome) => outcome !== 'ack').length;
      await client.close();
    }
    const seconds = (Date.now() - started) / 1000;

    // Assess: a connection's own budget would have taken all 30; the address's takes a burst
    expect(accepted).toBeGreaterThanOrEqual(BURST);
    expect(accepted).toBeLessThanOrEqual(allowance(seconds));
    expect(accepted).toBeLessThan(30);
    expect(refused + handshakesRefused).toBeGreaterThan(0);
  });

  it.each([
    ['pings', '127.0.0.4', (): string => JSON.stringify({ action: 'ping' })],
    ['invalid frames', '127.0.0.5', (): string => 'not json at all'],
  ])(
    '%s spend: enough of them close the connection for flooding',
    {
      timeout: 120_000,
    },
    async (_kind, address, frame) => {
      // Prepare
      const client = await connectFrom(address, 'attack-spend');

      // Act: far more frames than a burst and its overdraft, none of them a chat message
      for (let index = 0; index < 8 * BURST; index++) client.socket.send(frame());
      const closed = await client.closed;

      // Assess: they spent the budget, as messages do, until the connection was closed for it
      expect(framesOf(client).map((received) => received.code)).toContain('too_many_frames');
      expect(closed.code).toBe(1000);
    },
  );

  it('the connection cap refuses one connection too many with 429', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const clients = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS }, () => connectFrom('127.0.0.7', 'attack-cap')),
    );

    // Act
    const oneMore = connectFrom('127.0.0.7', 'attack-cap');

    // Assess: refused before the socket opens; another address is not affected
    await expect(oneMore).rejects.toEqual(new HandshakeRefused(429));
    const neighbour = await connectFrom('127.0.0.8', 'attack-cap');
    await Promise.all([...clients, neighbour].map((client) => client.close()));
  });
});
