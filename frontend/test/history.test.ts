import { describe, expect, it } from 'vitest';
import {
  compareOrder,
  historyInsertionIndex,
  keepsOrder,
  type LineOrder,
  liveInsertionIndex,
  OwnMessages,
  SeenMessageIds,
  ShownMessages,
} from '../src/history.ts';

// ULIDs: the first ten characters are the time, so text order is time order.
const id = (n: number): string => `01JD0000000000000000000${String(n).padStart(3, '0')}`;

describe('SeenMessageIds', () => {
  it('accepts an id once and refuses it after, whichever order ids arrive in', () => {
    // Prepare
    const seen = new SeenMessageIds();

    // Act
    const results = [id(2), id(1), id(2), id(3), id(1)].map((each) => seen.add(each));

    // Assess
    expect(results).toEqual([true, true, false, true, false]);
    expect(seen.newest).toBe(id(3));
  });

  it('has no newest id before the first message', () => {
    // Assess
    expect(new SeenMessageIds().newest).toBeUndefined();
  });
});

/** A line with a server id (protocol 2), and a line with none (a system line, our own message). */
const withId = (n: number): LineOrder => ({ id: id(n) });
const line: LineOrder = {};

describe('historyInsertionIndex', () => {
  it('puts history before the anchor when nothing with an id follows it (a first load)', () => {
    // Prepare: the anchor ("Connected…"), then an own message and a system line
    const lines = [line, line, line];

    // Act
    const index = historyInsertionIndex(lines, withId(5), 0);

    // Assess
    expect(index).toBe(0);
  });

  it('puts a message missed while away before "Reconnected." when it is older than everything since', () => {
    // Prepare: "Reconnected.", live 10, a system line, live 12
    const lines = [line, withId(10), line, withId(12)];

    // Act
    const index = historyInsertionIndex(lines, withId(4), 0);

    // Assess
    expect(index).toBe(0);
  });

  it('puts a message between the live ones by id when it is newer than some of them', () => {
    // Prepare: "Reconnected.", live 10, a system line, live 12
    const lines = [line, withId(10), line, withId(12)];

    // Act
    const index = historyInsertionIndex(lines, withId(11), 0);

    // Assess
    expect(index).toBe(3);
  });

  it('puts a message newer than everything after the newest line with an id', () => {
    // Prepare
    const lines = [line, withId(10), line];

    // Act
    const index = historyInsertionIndex(lines, withId(20), 0);

    // Assess
    expect(index).toBe(2);
  });

  it('keeps a history frame oldest first, above the anchor, when inserted one by one', () => {
    // Prepare: an older line, the anchor, a live message 9
    const list: (number | 'anchor')[] = [0, 'anchor', 9];

    // Act
    for (const each of [1, 2, 3, 10]) {
      const lines = list.map((item) => (item === 'anchor' ? line : withId(item)));
      list.splice(historyInsertionIndex(lines, withId(each), list.indexOf('anchor')), 0, each);
    }

    // Assess
    expect(list).toEqual([0, 1, 2, 3, 'anchor', 9, 10]);
  });

  it('keeps the serial order across the anchor: a gap from before the reconnect goes among the older lines', () => {
    // Prepare: 14, 16, "Connection lost.", "Reconnected." (the anchor)
    const lines = [{ seq: 14 }, { seq: 16 }, line, line];

    // Act
    const index = historyInsertionIndex(lines, { seq: 15 }, 3);

    // Assess
    expect(index).toBe(1);
  });

  it('orders by serial, not by id, where both lines have one', () => {
    // Prepare: the ids disagree with the serials (ids are given as messages are processed)
    const lines = [
      { seq: 1, id: id(5) },
      { seq: 3, id: id(2) },
    ];

    // Act
    const index = historyInsertionIndex(lines, { seq: 2, id: id(9) });

    // Assess
    expect(index).toBe(1);
  });

  it('puts a message missed while away above our own messages still on their way', () => {
    // Prepare: 10, "Connection lost.", our message waiting, "Reconnected." (the anchor)
    const lines = [{ seq: 10 }, line, { sending: true }, line];

    // Act
    const index = historyInsertionIndex(lines, { seq: 11 }, 3);

    // Assess
    expect(index).toBe(2);
  });
});

describe('liveInsertionIndex', () => {
  it('appends a message newer than everything, after the system lines', () => {
    // Prepare
    const lines = [{ seq: 1 }, line, { seq: 2 }, line];

    // Act
    const index = liveInsertionIndex(lines, { seq: 3 });

    // Assess
    expect(index).toBe(4);
  });

  it('puts a message the fan-out retried just before the newer one that arrived first', () => {
    // Prepare: 10, a system line, 12
    const lines = [{ seq: 10 }, line, { seq: 12 }];

    // Act
    const index = liveInsertionIndex(lines, { seq: 11 });

    // Assess
    expect(index).toBe(2);
  });

  it('keeps our own messages on their way below every message with a place', () => {
    // Prepare: 10, our message waiting for its ack, a system line
    const lines = [{ seq: 10 }, { sending: true }, line];

    // Act
    const index = liveInsertionIndex(lines, { seq: 11 });

    // Assess
    expect(index).toBe(1);
  });

  it('appends a message without serial or id (a server that gives none), as it comes', () => {
    // Prepare
    const lines = [{ seq: 10 }, line];

    // Act
    const index = liveInsertionIndex(lines, {});

    // Assess
    expect(index).toBe(2);
  });
});

describe('keepsOrder', () => {
  it('leaves our accepted message where it is when its serial fits there', () => {
    // Prepare: 10, 11 around where ours (12) sits, then a system line
    const others = [{ seq: 10 }, { seq: 11 }, line];

    // Assess: index 2 (after 11) and 3 (after the system line) both keep the order
    expect(keepsOrder(others, { seq: 12 }, 2)).toBe(true);
    expect(keepsOrder(others, { seq: 12 }, 3)).toBe(true);
  });

  it('says our message must move when a newer one came before its ack', () => {
    // Prepare: ours sits after 13, but the room accepted it as 12
    const others = [{ seq: 11 }, { seq: 13 }];

    // Assess
    expect(keepsOrder(others, { seq: 12 }, 2)).toBe(false);
    expect(keepsOrder(others, { seq: 12 }, 1)).toBe(true);
  });
});

describe('compareOrder', () => {
  it('compares by serial, else by id, else not at all', () => {
    // Assess
    expect(compareOrder({ seq: 2, id: id(1) }, { seq: 1, id: id(2) })).toBeGreaterThan(0);
    expect(compareOrder({ id: id(1) }, { seq: 1, id: id(2) })).toBeLessThan(0);
    expect(compareOrder({ seq: 1 }, { id: id(2) })).toBeUndefined();
    expect(compareOrder({}, {})).toBeUndefined();
  });
});

describe('ShownMessages', () => {
  it('shows a message once, whether it repeats by serial or by id', () => {
    // Prepare
    const shown = new ShownMessages();

    // Act
    const results = [
      shown.add({ id: id(1), seq: 1 }),
      shown.add({ id: id(1), seq: 1 }),
      shown.add({ id: undefined, seq: 1 }),
      shown.add({ id: id(1), seq: undefined }),
      shown.add({ id: id(2), seq: 2 }),
      shown.add({ id: undefined, seq: undefined }),
      shown.add({ id: undefined, seq: undefined }),
    ];

    // Assess: messages with neither are always shown (a server that gives none)
    expect(results).toEqual([true, false, false, false, true, true, true]);
    expect(shown.newestId).toBe(id(2));
  });
});

describe('OwnMessages', () => {
  const mine = { message: 'hi', senderName: 'Ada', senderGravatar: undefined };

  it('recognises a message this tab sent, once per send', () => {
    // Prepare
    const own = new OwnMessages();
    own.sent(mine);
    own.sent(mine);

    // Act
    const results = [own.claim(mine), own.claim(mine), own.claim(mine)];

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('does not take someone else’s message for ours', () => {
    // Prepare
    const own = new OwnMessages();
    own.sent(mine);

    // Act
    const results = [
      own.claim({ ...mine, senderName: 'Bob' }),
      own.claim({ ...mine, message: 'hi!' }),
      own.claim({ ...mine, senderGravatar: 'a'.repeat(64) }),
    ];

    // Assess
    expect(results).toEqual([false, false, false]);
    expect(own.claim(mine)).toBe(true);
  });

  it('remembers a bounded number of messages, forgetting the oldest', () => {
    // Prepare
    const own = new OwnMessages();
    for (let n = 0; n <= 200; n += 1) own.sent({ ...mine, message: `m${n}` });

    // Assess
    expect(own.claim({ ...mine, message: 'm0' })).toBe(false);
    expect(own.claim({ ...mine, message: 'm1' })).toBe(true);
    expect(own.claim({ ...mine, message: 'm200' })).toBe(true);
  });
});
