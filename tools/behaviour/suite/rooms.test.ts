/**
 * Rooms, history and presence, driven from outside (docs/rooms.md): rooms kept apart, their names
 * checked at the handshake, a late joiner's history, and the head count as people come and go.
 */
import { describe, expect, it } from 'vitest';
import { HandshakeRefused } from '../src/chat-client.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { requestHistory, sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite();

const TIMEOUT = { timeout: 120_000 };

describe('rooms', () => {
  it('keeps two rooms apart', TIMEOUT, async () => {
    // Prepare
    const alpha = suite.room('alpha');
    const beta = suite.room('beta');
    const a1 = await suite.join(alpha);
    const a2 = await suite.join(alpha);
    const b1 = await suite.join(beta);
    const b2 = await suite.join(beta);

    // Act: one message in each room, then a last one in each, sent once the first has arrived,
    // so anything misdelivered by the first ones has had its chance to arrive before the last
    await a1.send({ message: 'for alpha' });
    await b1.send({ message: 'for beta' });
    await a2.waitForMessage('for alpha');
    await b2.waitForMessage('for beta');
    await a2.send({ message: 'alpha done' });
    await b2.send({ message: 'beta done' });
    await a1.waitForMessage('alpha done');
    await b1.waitForMessage('beta done');

    // Assess
    expect(a1.texts()).toEqual(['alpha done']);
    expect(a2.texts()).toEqual(['for alpha']);
    expect(b1.texts()).toEqual(['beta done']);
    expect(b2.texts()).toEqual(['for beta']);
    expect(a2.messages()[0]).toMatchObject({ room: alpha });
  });

  it('refuses a malformed room name at the handshake with 400', TIMEOUT, async () => {
    await expect(suite.join('no spaces')).rejects.toEqual(new HandshakeRefused(400));
  });

  it('takes a room name in any case, and names it in lower case', TIMEOUT, async () => {
    // Prepare
    const room = suite.room('case');
    const upper = await suite.join(room.toUpperCase());
    const lower = await suite.join(room);

    // Act
    await upper.send({ message: 'one room' });

    // Assess
    expect(await lower.waitForMessage('one room')).toMatchObject({ room });
  });
});

describe('history and presence', () => {
  it(
    'gives a late joiner what was said before, oldest first, and the head count',
    TIMEOUT,
    async () => {
      // Prepare: two messages in the room before the joiner arrives
      const room = suite.room('late');
      const early = await suite.join(room);
      const listener = await suite.join(room);
      await early.send({ message: 'first' });
      await listener.waitForMessage('first');
      await early.send({ message: 'second' });
      await listener.waitForMessage('second');

      // Act
      const late = await suite.join(room);
      const { history, presence } = await requestHistory(late);

      // Assess: live copies carry the head count, kept ones do not
      expect(listener.messages()[0]).toMatchObject({ message: 'first', members: 2 });
      expect(history).toHaveLength(1);
      expect(history[0]?.messages?.map((event) => event.message)).toEqual(['first', 'second']);
      expect(history[0]?.messages?.[0]).not.toHaveProperty('members');
      expect(presence).toEqual({ type: 'presence', room, count: 3 });
      // A room this small hears the new count too
      await listener.until(
        () => listener.framesOf('presence').at(-1)?.count === 3,
        'the listener heard the count of 3',
      );
    },
  );

  it(
    'answers a history request in an empty room with one empty frame, head 0 and the count',
    TIMEOUT,
    async () => {
      // Prepare
      const room = suite.room('empty');
      const alone = await suite.join(room);

      // Act
      const { history, presence } = await requestHistory(alone);

      // Assess
      expect(history).toEqual([
        { type: 'history', room, messages: [], part: 1, parts: 1, head: 0, oldest: 1 },
      ]);
      expect(presence).toEqual({ type: 'presence', room, count: 1 });
    },
  );

  it(
    'tells the members of a small room the head count as people join and leave',
    TIMEOUT,
    async () => {
      // Prepare: nothing can be sent to a connection during its $connect, so a joiner is announced
      // when it asks for the history, as the page does once its socket is open
      const room = suite.room('presence');
      const first = await suite.join(room);
      await requestHistory(first);
      const second = await suite.join(room);
      await requestHistory(second);
      await first.until(() => first.framesOf('presence').at(-1)?.count === 2, 'a count of 2 came');

      // Act
      const third = await suite.join(room);
      await requestHistory(third);
      await first.until(() => first.framesOf('presence').at(-1)?.count === 3, 'a count of 3 came');
      await third.close();
      await first.until(() => first.framesOf('presence').at(-1)?.count === 2, 'a count of 2 came');
      await sendAndAwaitAck(second, 'still two');

      // Assess: the counts went up and down (a count may be told twice: to a joiner after its
      // history, and to the room), and the next message carries the true count
      const counts = first.framesOf('presence').map((frame) => frame.count);
      const changes = counts.filter((count, index) => count !== counts[index - 1]);
      expect(changes).toEqual([1, 2, 3, 2]);
      expect(await first.waitForMessage('still two')).toMatchObject({ members: 2 });
    },
  );
});
