/**
 * The rate limit and the limits per person, driven from outside
 * (docs/protocol.md#budgets-and-caps-per-person). All of the suite's clients are one person to
 * the chat: on AWS the runner's one address (or its one test user, signed in), on the local stack
 * 127.0.0.2 (see src/local-target.ts). So these tests hold the same way on both, and each one
 * starts from a full budget, waiting for it when an earlier test spent it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { HandshakeRefused } from '../src/chat-client.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { newClientId, outcomesOf, sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite();

beforeEach((context) => {
  suite.need(context, 'onePerson');
});

const TIMEOUT = { timeout: 180_000 };

/** Chat messages with new client ids, as frames. */
function messages(count: number, text: string): { ids: string[]; frames: string[] } {
  const ids = Array.from({ length: count }, () => newClientId());
  return {
    ids,
    frames: ids.map((clientId, index) => JSON.stringify({ message: `${text} ${index}`, clientId })),
  };
}

/** The most messages a full budget accepts in `seconds`: a burst, then the rate. */
function allowance(seconds: number): number {
  const { burst, perSecond } = suite.target.limits.rateLimit;
  return burst + Math.ceil(perSecond * seconds);
}

describe('the rate limit', () => {
  it(
    'accepts a burst, refuses the rest with rate_limited and when to try again, and passes no refused one on',
    TIMEOUT,
    async () => {
      // Prepare
      const room = suite.room('over-budget');
      const sender = await suite.join(room);
      const listener = await suite.join(room);
      const { burst } = suite.target.limits.rateLimit;
      await suite.budget().refill();

      // Act: one and a half bursts at once: over the budget, short of its overdraft
      const started = Date.now();
      const sent = messages(burst + Math.ceil(burst / 2), 'over');
      sender.flood(sent.frames);
      await sender.until(
        () => outcomesOf(sender, sent.ids).length === sent.ids.length,
        'every message was answered',
      );
      const seconds = (Date.now() - started) / 1000;
      await sendAndAwaitAck(sender, 'after waiting');
      await listener.waitForMessage('after waiting');

      // Assess: each message accepted or refused; the refusals say when to try again
      const outcomes = outcomesOf(sender, sent.ids);
      const accepted = outcomes.filter((outcome) => outcome === 'ack').length;
      expect(outcomes.filter((outcome) => outcome !== 'ack')).toEqual(
        Array(outcomes.length - accepted).fill('rate_limited'),
      );
      // Not always the whole burst: frames handled side by side each read the clock when they
      // start, and one that started earlier but writes later is held to its earlier time.
      expect(accepted).toBeGreaterThanOrEqual(Math.ceil(burst / 2));
      expect(accepted).toBeLessThanOrEqual(allowance(seconds));
      expect(accepted).toBeLessThan(sent.ids.length);
      for (const refusal of sender.framesOf('error')) {
        expect(refusal.retryAfterMs).toBeGreaterThan(0);
      }
      // The listener got exactly the accepted ones, and then the last
      expect(listener.texts()).toHaveLength(accepted + 1);
      expect(listener.texts().at(-1)).toBe('after waiting');
    },
  );

  it("shares one budget among all of a person's sockets", TIMEOUT, async () => {
    // Prepare: three sockets of one person; each one's own budget would take all it sends
    const room = suite.room('more-sockets');
    const clients = [await suite.join(room), await suite.join(room), await suite.join(room)];
    const { burst } = suite.target.limits.rateLimit;
    const each = Math.ceil(burst / 2);
    await suite.budget().refill();

    // Act: half a burst on each, all at once
    const started = Date.now();
    const sent = clients.map((client, index) => {
      const batch = messages(each, `socket ${index}`);
      client.flood(batch.frames);
      return batch;
    });
    await Promise.all(
      clients.map((client, index) =>
        client.until(
          () => outcomesOf(client, sent[index]?.ids ?? []).length === each,
          'every message was answered',
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;

    // Assess: one budget for the person, however many sockets share it
    const outcomes = clients.flatMap((client, index) => outcomesOf(client, sent[index]?.ids ?? []));
    const accepted = outcomes.filter((outcome) => outcome === 'ack').length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(allowance(seconds));
    expect(accepted).toBeLessThan(each * clients.length);
    expect(outcomes).toContain('rate_limited');
  });

  it(
    'closes a connection that floods a burst past its budget, and refuses its person new connections with 429 for a while',
    TIMEOUT,
    async (context) => {
      // Prepare
      const room = suite.room('flood');
      const flooder = await suite.join(room);
      const { burst } = suite.target.limits.rateLimit;
      await suite.budget().refill();

      // Act: pings, which are answered only when the connection is closed, until it is
      const closed = await flooder.floodUntilClosed(JSON.stringify({ action: 'ping' }), 4 * burst);
      const refused = suite.join(room, { retryRefused: false });

      // Assess: told why, closed, and not let straight back in
      const tooMany = flooder.framesOf('error').find((frame) => frame.code === 'too_many_frames');
      expect(tooMany?.retryAfterMs).toBeGreaterThan(0);
      await expect(refused).rejects.toEqual(new HandshakeRefused(429));
      // AWS does not document the close code a client sees after DeleteConnection: say which it was.
      await context.annotate(`the flooding connection was closed with ${closed.code}`);
      // Once the overdraft has run down, the person may connect again
      await suite.budget().admission();
      const back = await suite.join(room);
      await sendAndAwaitAck(back, 'back again');
    },
  );
});

describe('the cap on connections', () => {
  it(
    'refuses one connection more than a person may have with 429, and admits one again once a place is free',
    TIMEOUT,
    async () => {
      // Prepare: every place the person has (a place of a connection just closed comes back once
      // its $disconnect has run: suite.join tries a refused handshake again)
      const room = suite.room('cap');
      const max = suite.target.limits.maxConnectionsPerPerson;
      const clients = [];
      for (let index = 0; index < max; index++) clients.push(await suite.join(room));

      // Act
      const oneMore = suite.join(room, { retryRefused: false });

      // Assess: refused before the socket opens; after a close there is a place again
      await expect(oneMore).rejects.toEqual(new HandshakeRefused(429));
      await clients[0]?.close();
      // The room hears the new count once the chat has forgotten the closed connection, which is
      // when its place is free again ($disconnect runs after the close, not with it).
      const [, witness] = clients;
      await witness?.until(
        () => witness.framesOf('presence').at(-1)?.count === max - 1,
        `the count of ${max - 1} came`,
      );
      const replacement = await suite.join(room);
      await sendAndAwaitAck(replacement, 'in the freed place');
    },
  );
});
