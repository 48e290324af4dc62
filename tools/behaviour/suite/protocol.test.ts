/**
 * The protocol, driven from outside (docs/protocol.md): the frames the chat sends, acks and
 * serials of protocol 3, a message sent again with its client id, catch-up after a reconnect, and
 * old clients, which get nothing but chat messages.
 */
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { ChatFrame } from '../src/chat-client.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { newClientId, outcomesOf, requestHistory, sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite();

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TIMEOUT = { timeout: 120_000 };

describe('frames', () => {
  it(
    'delivers a message to every other member, never back to its sender, with the fields the server sets',
    TIMEOUT,
    async () => {
      // Prepare: old clients (no version in the URL) get nothing but chat messages, so each
      // frame's place is known
      const room = suite.room('hello');
      const alice = await suite.join(room, { version: 'old' });
      const bob = await suite.join(room, { version: 'old' });
      const carol = await suite.join(room, { version: 'old' });

      // Act
      await alice.send({ message: 'hello, both of you', senderName: 'Alice' });

      // Assess
      for (const recipient of [bob, carol]) {
        expect(await recipient.frame(0)).toMatchObject({
          type: 'message',
          message: 'hello, both of you',
          senderName: suite.nameFor('Alice'),
        });
      }
      const delivered = await bob.frame(0);
      expect(delivered).toMatchObject({ room, senderGravatar: '', members: 3 });
      expect(delivered.id).toMatch(ULID);
      expect(delivered.seq).toBeGreaterThan(0);
      expect(new Date(String(delivered.sentAt)).toISOString()).toBe(delivered.sentAt);
      await bob.send({ message: 'hi Alice', senderName: 'Bob' });
      // Alice's first frame is Bob's answer: her own message never came back to her.
      expect(await alice.frame(0)).toMatchObject({
        message: 'hi Alice',
        senderName: suite.nameFor('Bob'),
      });
      expect(await carol.frame(1)).toMatchObject({ message: 'hi Alice' });
    },
  );

  it(
    'passes on only the fields the server sets, normalised and trimmed, with a lower-case avatar hash',
    TIMEOUT,
    async () => {
      // Prepare
      const room = suite.room('fields');
      const sender = await suite.join(room, { version: 'old' });
      const listener = await suite.join(room, { version: 'old' });
      const hash = 'A'.repeat(32);

      // Act: a decomposed é (e and a combining acute) in padding, and fields the server must drop
      await sender.send({
        message: '  cafe\u0301  ',
        senderName: ' Ada ',
        senderGravatar: hash,
        sentAt: '2000-01-01T00:00:00.000Z',
        extra: 'dropped',
      });

      // Assess
      const received = await listener.frame(0);
      expect(received.message).toBe('caf\u00e9');
      expect(received.senderName).toEqual(suite.nameFor('Ada'));
      expect(received.senderGravatar).toBe(hash.toLowerCase());
      expect(received).not.toHaveProperty('extra');
      expect(received.sentAt).not.toBe('2000-01-01T00:00:00.000Z');
    },
  );
});

describe('acks and serials', () => {
  it(
    'delivers a burst of 10, each sent after the previous ack, in order with increasing serials',
    TIMEOUT,
    async () => {
      // Prepare
      const room = suite.room('burst');
      const sender = await suite.join(room);
      const listener = await suite.join(room);

      // Act
      const acks: ChatFrame[] = [];
      for (let n = 0; n < 10; n++) acks.push(await sendAndAwaitAck(sender, `m${n}`, `burst-${n}`));
      await listener.until(() => listener.messages().length === 10, 'all 10 messages came');

      // Assess: the listener's order is the send order, and the serials are the acks' serials
      const received = listener.messages();
      expect(received.map((frame) => frame.message)).toEqual(
        Array.from({ length: 10 }, (_, n) => `m${n}`),
      );
      const serials = received.map((frame) => frame.seq as number);
      for (let index = 1; index < serials.length; index++) {
        expect(serials[index]).toBeGreaterThan(serials[index - 1] as number);
      }
      expect(serials).toEqual(acks.map((ack) => ack.seq));
      expect(received.map((frame) => frame.id)).toEqual(acks.map((ack) => ack.id));
      expect(acks[0]).toMatchObject({ type: 'ack', clientId: 'burst-0', room });
    },
  );

  it(
    'acknowledges a message sent again with its client id after a reconnect the same, and the others see it once',
    TIMEOUT,
    async () => {
      // Prepare: the first send is accepted; the sender's connection then drops
      const room = suite.room('retry');
      const first = await suite.join(room);
      const listener = await suite.join(room);
      const ack = await sendAndAwaitAck(first, 'only once', 'retry-1');
      await first.close();
      await listener.until(
        () => listener.framesOf('presence').at(-1)?.count === 1,
        'the room counted the sender out',
      );

      // Act: the page sends its unacknowledged outbox again on its new connection
      const again = await suite.join(room);
      const secondAck = await sendAndAwaitAck(again, 'only once', 'retry-1');
      // A later message marks the end: anything the retry broadcast would have arrived before it
      await sendAndAwaitAck(again, 'after', 'retry-2');
      await listener.waitForMessage('after');

      // Assess
      expect(secondAck).toEqual(ack);
      expect(listener.texts()).toEqual(['only once', 'after']);
      const { history } = await requestHistory(again);
      expect(history[0]?.messages?.map((message) => message.message)).toEqual([
        'only once',
        'after',
      ]);
    },
  );

  it(
    'accepts a message once when its commit failed and it is sent again with its client id',
    TIMEOUT,
    async (context) => {
      suite.need(context, 'faults');
      // Prepare: commits fail (every attempt the function's SDK makes) until the refusal came
      const { faults } = suite.target.local ?? context.skip();
      const room = suite.room('commit');
      const sender = await suite.join(room);
      const listener = await suite.join(room);
      const clientId = newClientId();
      const fault = faults.failDynamoDb({ operation: 'TransactWriteItems', count: 10 });

      // Act
      try {
        await sender.send({ message: 'kept once', clientId });
        await sender.waitFor((frame) => frame.clientId === clientId, 'an answer');
      } finally {
        faults.clear();
      }
      await sendAndAwaitAck(sender, 'kept once', clientId);
      await sendAndAwaitAck(sender, 'the end');
      await listener.waitForMessage('the end');

      // Assess: refused first, naming the client id; accepted once; nobody got the refused copy
      expect(fault.injected).toBeGreaterThan(0);
      expect(outcomesOf(sender, [clientId])).toEqual(['internal_error', 'ack']);
      expect(listener.texts()).toEqual(['kept once', 'the end']);
    },
  );
});

describe('catch-up', () => {
  it(
    'gives a member who comes back, asking after its last serial, exactly what it missed and the head',
    TIMEOUT,
    async () => {
      // Prepare: the reader has one message, then leaves; the witness shows when the messages
      // said meanwhile have been delivered
      const room = suite.room('catch-up');
      const reader = await suite.join(room);
      const talker = await suite.join(room);
      const witness = await suite.join(room);
      await sendAndAwaitAck(talker, 'before');
      const lastSeen = (await reader.waitForMessage('before')).seq as number;
      await reader.close();
      const missed = [
        await sendAndAwaitAck(talker, 'while away 1'),
        await sendAndAwaitAck(talker, 'while away 2'),
      ];
      await witness.waitForMessage('while away 2');

      // Act
      const back = await suite.join(room);
      const { history, presence } = await requestHistory(back, lastSeen);

      // Assess: the missed messages with their serials, the room's serial, and then the count
      expect(history).toHaveLength(1);
      expect(history[0]?.messages?.map((message) => [message.message, message.seq])).toEqual([
        ['while away 1', missed[0]?.seq],
        ['while away 2', missed[1]?.seq],
      ]);
      expect(history[0]).toMatchObject({ room, part: 1, parts: 1, head: missed[1]?.seq });
      expect(history[0]?.oldest).toBeLessThanOrEqual(lastSeen);
      expect(presence).toEqual({ type: 'presence', room, count: 3 });
    },
  );
});

describe('old clients', () => {
  it(
    'lets an old client and a client of protocol 3 chat both ways, and sends the old one only chat messages',
    TIMEOUT,
    async () => {
      // Prepare: the reference design's page (no version) and ours
      const room = suite.room('mixed');
      const old = await suite.join(room, { version: 'old' });
      const current = await suite.join(room);
      await requestHistory(current);

      // Act: both talk; a third client of protocol 3 joins and leaves
      await old.send({ action: 'sendmessage', message: 'from the old page' });
      await current.waitForMessage('from the old page');
      const third = await suite.join(room);
      await requestHistory(third);
      await current.until(() => current.framesOf('presence').length >= 2, 'the second count came');
      await third.close();
      await current.until(() => current.framesOf('presence').length >= 3, 'the third count came');
      await sendAndAwaitAck(current, 'from the new page', 'mixed-1');
      await old.waitForMessage('from the new page');

      // Assess: the old client saw the new page's message and nothing else
      expect(old.frames().map((frame) => frame.type)).toEqual(['message']);
      expect(old.messages()[0]).toMatchObject({ message: 'from the new page' });
      expect(current.framesOf('presence').map((frame) => frame.count)).toEqual([2, 3, 2]);
    },
  );
});

describe("the function's metrics", () => {
  it('count an accepted message and each delivery of it', TIMEOUT, async (context) => {
    suite.need(context, 'metrics');
    // Prepare: a stack of its own, so no other test's invocations are counted
    const stack = await suite.withEnvironment({});
    const room = suite.room('metrics');
    const [sender, ...listeners] = await Promise.all(
      [1, 2, 3].map(() => suite.join(room, { target: stack, version: 'old' })),
    );
    const levers = stack.local ?? context.skip();
    levers.resetMetrics();

    // Act
    await sender?.send({ message: 'counted', clientId: newClientId() });
    await Promise.all(listeners.map((listener) => listener.waitForMessage('counted')));

    // Assess
    const { names } = contract.metrics;
    await expect.poll(() => levers.metrics().sums[names.delivered], { timeout: 15_000 }).toBe(2);
    expect(levers.metrics().sums[names.messagesAccepted]).toBe(1);
  });
});
