import { describe, expect, it } from 'vitest';
import { historyInsertionIndex, OwnMessages, SeenMessageIds } from '../src/history.ts';

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

describe('historyInsertionIndex', () => {
  it('puts history before the anchor when nothing with an id follows it (a first load)', () => {
    // Prepare: the anchor ("Connected…"), then an own message and a system line
    const following = [undefined, undefined, undefined];

    // Act
    const index = historyInsertionIndex(following, id(5));

    // Assess
    expect(index).toBe(0);
  });

  it('puts a message missed while away before "Reconnected." when it is older than everything since', () => {
    // Prepare: "Reconnected.", live 10, a system line, live 12
    const following = [undefined, id(10), undefined, id(12)];

    // Act
    const index = historyInsertionIndex(following, id(4));

    // Assess
    expect(index).toBe(0);
  });

  it('puts a message between the live ones by id when it is newer than some of them', () => {
    // Prepare: "Reconnected.", live 10, a system line, live 12
    const following = [undefined, id(10), undefined, id(12)];

    // Act
    const index = historyInsertionIndex(following, id(11));

    // Assess
    expect(index).toBe(3);
  });

  it('puts a message newer than everything after the newest line with an id', () => {
    // Prepare
    const following = [undefined, id(10), undefined];

    // Act
    const index = historyInsertionIndex(following, id(20));

    // Assess
    expect(index).toBe(2);
  });

  it('keeps a history frame oldest first, above the anchor, when inserted one by one', () => {
    // Prepare: an older line, the anchor, a live message 9
    const list: (string | undefined)[] = [id(0), 'anchor', id(9)];
    let anchor = 1;

    // Act
    for (const each of [id(1), id(2), id(3), id(10)]) {
      const following = list.slice(anchor).map((line) => (line === 'anchor' ? undefined : line));
      const index = historyInsertionIndex(following, each);
      list.splice(anchor + index, 0, each);
      if (index === 0) anchor += 1;
    }

    // Assess
    expect(list).toEqual([id(0), id(1), id(2), id(3), 'anchor', id(9), id(10)]);
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
