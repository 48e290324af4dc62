import { describe, expect, it } from 'vitest';
import {
  anonymousName,
  buildChatFrame,
  buildHistoryRequest,
  checkDraft,
  describeServerError,
  isGravatarHash,
  keepAliveFrame,
  parseServerEvent,
} from '../src/protocol.ts';

const sha256Hex = 'a'.repeat(64);

describe('parseServerEvent', () => {
  it("reads a signed-in sender's id beside the verified name, and drops one that is not an id", () => {
    // Prepare
    const message = (senderId: unknown) =>
      JSON.stringify({ type: 'message', message: 'hi', senderName: 'Ada', senderId });

    // Act
    const events = [
      parseServerEvent(message('Xk3_9a-QwErTyUiO')),
      parseServerEvent(message('not an id')),
      parseServerEvent(message(42)),
    ];

    // Assess
    expect(events.map((event) => (event?.type === 'message' ? event.senderId : 'no'))).toEqual([
      'Xk3_9a-QwErTyUiO',
      undefined,
      undefined,
    ]);
    expect(events[1]).not.toHaveProperty('senderId');
  });

  it('reads a chat message event as the backend sends it', () => {
    // Prepare
    const frame = JSON.stringify({
      type: 'message',
      message: 'hello',
      senderName: 'Ada',
      senderGravatar: sha256Hex,
      sentAt: '2026-01-02T03:04:05.000Z',
    });

    // Act
    const event = parseServerEvent(frame);

    // Assess
    expect(event).toEqual({
      type: 'message',
      id: undefined,
      room: undefined,
      message: 'hello',
      senderName: 'Ada',
      senderGravatar: sha256Hex,
      sentAt: new Date('2026-01-02T03:04:05.000Z'),
    });
  });

  it("reads a message event's server id and room (protocol v2)", () => {
    // Act
    const event = parseServerEvent(
      JSON.stringify({
        type: 'message',
        id: '01JDQ8ZV3T2X7K9M4N6P8R0S2A',
        room: 'Support',
        message: 'hi',
        senderName: 'Ada',
        senderGravatar: '',
        sentAt: '2026-01-02T03:04:05.000Z',
      }),
    );

    // Assess
    expect(event).toMatchObject({ id: '01JDQ8ZV3T2X7K9M4N6P8R0S2A', room: 'support' });
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['an id with a space', 'a b'],
    ['a 65-character id', 'x'.repeat(65)],
  ])('treats %s as no id', (_label, id) => {
    // Act
    const event = parseServerEvent(JSON.stringify({ type: 'message', id, message: 'hi' }));

    // Assess
    expect(event).toMatchObject({ type: 'message', id: undefined });
  });

  it('reads a history frame, oldest first, skipping entries that are not messages', () => {
    // Prepare
    const message = (id: string, text: string) => ({
      type: 'message',
      id,
      room: 'lobby',
      message: text,
      senderName: 'Ada',
      senderGravatar: '',
      sentAt: '2026-01-02T03:04:05.000Z',
    });
    const frame = JSON.stringify({
      type: 'history',
      room: 'lobby',
      messages: [message('01A', 'first'), null, { message: 7 }, message('01B', 'second')],
      part: 1,
      parts: 1,
    });

    // Act
    const event = parseServerEvent(frame);

    // Assess
    expect(event?.type).toBe('history');
    if (event?.type !== 'history') return;
    expect(event.room).toBe('lobby');
    expect(event.messages.map((each) => [each.id, each.message])).toEqual([
      ['01A', 'first'],
      ['01B', 'second'],
    ]);
  });

  it('reads an empty history and a presence count, and ignores a count that is not one', () => {
    // Assess
    expect(parseServerEvent('{"type":"history","room":"lobby","messages":[]}')).toEqual({
      type: 'history',
      room: 'lobby',
      messages: [],
    });
    expect(parseServerEvent('{"type":"presence","room":"dev","count":3}')).toEqual({
      type: 'presence',
      room: 'dev',
      count: 3,
    });
    expect(parseServerEvent('{"type":"presence","count":-1}')).toBeUndefined();
    expect(parseServerEvent('{"type":"presence","count":"3"}')).toBeUndefined();
    expect(parseServerEvent('{"type":"history","messages":{}}')).toBeUndefined();
  });

  it("reads the room's head count a live message carries, and ignores one that is not a count", () => {
    // Prepare
    const live = (members: unknown) =>
      parseServerEvent(JSON.stringify({ type: 'message', message: 'hi', members }));

    // Assess
    expect(live(12)).toMatchObject({ type: 'message', members: 12 });
    expect(live(-1)).not.toHaveProperty('members');
    expect(live('12')).not.toHaveProperty('members');
    expect(live(1.5)).not.toHaveProperty('members');
    expect(parseServerEvent('{"type":"message","message":"hi"}')).not.toHaveProperty('members');
  });

  it('keeps retryAfterMs from a rate_limited error', () => {
    // Act
    const event = parseServerEvent(
      '{"type":"error","code":"rate_limited","message":"slow down","retryAfterMs":2500}',
    );

    // Assess
    expect(event).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 2500,
    });
  });

  it('names anonymous senders, drops a hash that is not one, and dates by arrival when sentAt is unreadable', () => {
    // Prepare
    const receivedAt = new Date('2026-05-06T07:08:09.000Z');
    const frame = JSON.stringify({
      type: 'message',
      message: 'hi',
      senderName: '  ',
      senderGravatar: '"><script>',
      sentAt: 'yesterday-ish',
    });

    // Act
    const event = parseServerEvent(frame, receivedAt);

    // Assess
    expect(event).toMatchObject({
      senderName: anonymousName,
      senderGravatar: undefined,
      sentAt: receivedAt,
    });
  });

  it('reads the serial of a message (protocol 3), and ignores one that is not a serial', () => {
    // Prepare
    const live = (seq: unknown) =>
      parseServerEvent(JSON.stringify({ type: 'message', id: '01JD', message: 'hi', seq }));

    // Assess
    expect(live(7)).toMatchObject({ type: 'message', id: '01JD', seq: 7 });
    expect(live(0)).toMatchObject({ seq: undefined });
    expect(live(2.5)).toMatchObject({ seq: undefined });
    expect(live('7')).toMatchObject({ seq: undefined });
  });

  it("reads a history reply's parts, head and oldest kept serial (protocol 3)", () => {
    // Act
    const event = parseServerEvent(
      '{"type":"history","room":"lobby","messages":[],"part":2,"parts":3,"head":41,"oldest":12}',
    );
    const broken = parseServerEvent(
      '{"type":"history","room":"lobby","messages":[],"part":4,"parts":3,"head":-1,"oldest":"12"}',
    );

    // Assess
    expect(event).toEqual({
      type: 'history',
      room: 'lobby',
      messages: [],
      part: 2,
      parts: 3,
      head: 41,
      oldest: 12,
    });
    expect(broken).toEqual({ type: 'history', room: 'lobby', messages: [] });
  });

  it('reads an ack and a delivery report, and ignores one that does not name a message exactly', () => {
    // Prepare
    const receipt = { clientId: 'c-1_A', id: '01JD', seq: 9, room: 'Lobby' };

    // Act
    const ack = parseServerEvent(JSON.stringify({ type: 'ack', ...receipt }));
    const report = parseServerEvent(
      JSON.stringify({ type: 'delivery_incomplete', ...receipt, unreached: 3 }),
    );

    // Assess
    expect(ack).toEqual({ type: 'ack', clientId: 'c-1_A', id: '01JD', seq: 9, room: 'lobby' });
    expect(report).toEqual({
      type: 'delivery_incomplete',
      clientId: 'c-1_A',
      id: '01JD',
      seq: 9,
      room: 'lobby',
      unreached: 3,
    });
    for (const bad of [
      { type: 'ack', ...receipt, clientId: 'has space' },
      { type: 'ack', ...receipt, seq: 0 },
      { type: 'ack', ...receipt, id: undefined },
      { type: 'delivery_incomplete', ...receipt },
      { type: 'delivery_incomplete', ...receipt, unreached: -2 },
    ]) {
      expect(parseServerEvent(JSON.stringify(bad))).toBeUndefined();
    }
  });

  it('keeps the client id of the message an error refused, and drops one that is not one', () => {
    // Act
    const named = parseServerEvent(
      '{"type":"error","code":"rate_limited","message":"slow down","retryAfterMs":500,"clientId":"abc"}',
    );
    const malformed = parseServerEvent(
      '{"type":"error","code":"internal_error","message":"try again","clientId":"a b"}',
    );

    // Assess
    expect(named).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 500,
      clientId: 'abc',
    });
    expect(malformed).toEqual({ type: 'error', code: 'internal_error', message: 'try again' });
  });

  it('reads the backend error event and API Gateway error frames', () => {
    // Act
    const backend = parseServerEvent(
      '{"type":"error","code":"message_too_long","message":"too long"}',
    );
    const gateway = parseServerEvent(
      '{"message": "Forbidden", "connectionId":"abc=", "requestId":"def="}',
    );

    // Assess
    expect(backend).toEqual({ type: 'error', code: 'message_too_long', message: 'too long' });
    expect(gateway).toEqual({ type: 'error', code: 'gateway', message: 'Forbidden' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['null', 'null'],
    ['an unknown type', '{"type":"pong"}'],
    ['a message without text', '{"type":"message","message":42}'],
  ])('ignores %s', (_label, frame) => {
    // Act
    const event = parseServerEvent(frame);

    // Assess
    expect(event).toBeUndefined();
  });
});

describe('checkDraft', () => {
  it('trims and accepts a message at the limit', () => {
    // Act
    const check = checkDraft(`  ${'x'.repeat(10)}\n`, 10);

    // Assess
    expect(check).toEqual({ ok: true, text: 'x'.repeat(10) });
  });

  it('refuses blank drafts', () => {
    // Act
    const check = checkDraft(' \n\t ', 10);

    // Assess
    expect(check).toEqual({ ok: false, reason: 'empty' });
  });

  it('normalises to NFC before counting, so a decomposed accent counts once, as on the server', () => {
    // Act
    const check = checkDraft('Cafe\u0301', 4);

    // Assess
    expect(check).toEqual({ ok: true, text: 'Caf\u00e9' });
  });

  it('refuses control characters and text-direction controls, naming the character', () => {
    // Assess
    expect(checkDraft('ring \u0007 bell', 100)).toEqual({
      ok: false,
      reason: 'invalid-character',
      detail: 'It contains an invisible control character (U+0007, character 6); remove it.',
    });
    expect(checkDraft('abc\u202Etxt.exe', 100)).toMatchObject({ reason: 'invalid-character' });
  });

  it('keeps line breaks and tabs inside a message', () => {
    // Act
    const check = checkDraft('one\n\ttwo', 100);

    // Assess
    expect(check).toEqual({ ok: true, text: 'one\n\ttwo' });
  });

  it('refuses a draft with no visible character', () => {
    // Act
    const check = checkDraft('\u200b\u2060\u200d', 100);

    // Assess
    expect(check).toEqual({ ok: false, reason: 'invisible' });
  });

  it.each([
    ['combining marks without a letter', '\u0301\u0308'],
    ['blank Braille patterns', '\u2800\u2800'],
  ])('refuses a draft of %s as invisible, as the server does', (_label, draft) => {
    expect(checkDraft(draft, 100)).toEqual({ ok: false, reason: 'invisible' });
  });

  it('refuses half of a surrogate pair, which the server would refuse', () => {
    expect(checkDraft('broken \ud83d emoji', 100)).toEqual({
      ok: false,
      reason: 'invalid-character',
      detail:
        'It contains a broken character (half of a surrogate pair) (U+D83D, character 8); remove it.',
    });
  });

  it('sends CRLF and a lone CR as newlines, as the server keeps them', () => {
    expect(checkDraft('one\r\ntwo\rthree', 100)).toEqual({ ok: true, text: 'one\ntwo\nthree' });
  });

  it('refuses drafts over the limit and says by how much, counting UTF-16 units like the backend', () => {
    // Act
    const check = checkDraft('😀'.repeat(6), 10);

    // Assess
    expect(check).toEqual({ ok: false, reason: 'too-long', excess: 2 });
  });
});

describe('buildChatFrame', () => {
  it('sends the name and hash when given', () => {
    // Act
    const frame = buildChatFrame('hi', ' Ada ', sha256Hex);

    // Assess
    expect(JSON.parse(frame)).toEqual({
      message: 'hi',
      senderName: 'Ada',
      senderGravatar: sha256Hex,
    });
  });

  it('sends the client id when given', () => {
    // Act
    const frame = buildChatFrame('hi', 'Ada', undefined, '5f0c2c1e-8f6a-4b7e-9d43-2a1e0c6b9f10');

    // Assess
    expect(JSON.parse(frame)).toEqual({
      message: 'hi',
      senderName: 'Ada',
      clientId: '5f0c2c1e-8f6a-4b7e-9d43-2a1e0c6b9f10',
    });
  });

  it('leaves out a blank name and a missing hash', () => {
    // Act
    const frame = buildChatFrame('hi', '   ');

    // Assess
    expect(JSON.parse(frame)).toEqual({ message: 'hi' });
  });
});

describe('buildChatFrame and text rules', () => {
  it('sends the name normalised to NFC', () => {
    // Act
    const frame = buildChatFrame('hi', 'Rene\u0301');

    // Assess
    expect(JSON.parse(frame)).toEqual({ message: 'hi', senderName: 'René' });
  });
});

describe('buildHistoryRequest', () => {
  it('asks for the whole history on a first open, and for what came after an id on a reconnect', () => {
    // Assess
    expect(JSON.parse(buildHistoryRequest())).toEqual({ action: 'history' });
    expect(JSON.parse(buildHistoryRequest('01JD'))).toEqual({ action: 'history', after: '01JD' });
  });

  it('asks after a serial (protocol 3), the contiguous one, including 0', () => {
    // Assess
    expect(JSON.parse(buildHistoryRequest(41))).toEqual({ action: 'history', after: 41 });
    expect(JSON.parse(buildHistoryRequest(0))).toEqual({ action: 'history', after: 0 });
  });
});

describe('describeServerError', () => {
  const error = (code: string, extra: object = {}) =>
    ({ type: 'error', code, message: 'server text', ...extra }) as const;

  it.each([
    [
      error('rate_limited', { retryAfterMs: 2100 }),
      'The server refused a message: you are sending too fast. Wait 3 s, then send it again.',
    ],
    [
      error('rate_limited'),
      'The server refused a message: you are sending too fast. Wait 1 s, then send it again.',
    ],
    [error('message_invisible'), 'The server refused a message: it has no visible characters.'],
    [
      error('message_invalid_characters'),
      'The server refused a message: it contains a control character or a text-direction control. Remove it and send again.',
    ],
    [
      error('sender_name_invalid_characters'),
      'The server refused a message: your name contains a control character or a text-direction control. Change your name and send again.',
    ],
    [
      error('sender_name_invisible'),
      'The server refused a message: your name has no visible characters. Change your name and send again.',
    ],
    [error('message_too_long'), 'The server refused a message: server text'],
    [error('gateway'), 'The server refused a message: server text'],
    [
      error('unknown_action'),
      'The server did not understand a request from this page. Reload the page to get its current version.',
    ],
    [
      error('too_many_frames', { retryAfterMs: 4200 }),
      'Far too much sent too fast: the server closed the connection. The page reconnects in 5 s and sends what is still waiting.',
    ],
  ])('explains %o', (event, text) => {
    // Act
    const result = describeServerError(event);

    // Assess
    expect(result).toBe(text);
  });
});

describe('isGravatarHash', () => {
  it('accepts MD5 and SHA-256 hex and nothing else', () => {
    // Assess
    expect(isGravatarHash('0'.repeat(32))).toBe(true);
    expect(isGravatarHash(sha256Hex)).toBe(true);
    expect(isGravatarHash('A'.repeat(64))).toBe(false);
    expect(isGravatarHash('me@example.com')).toBe(false);
    expect(isGravatarHash(undefined)).toBe(false);
  });
});

describe('keepAliveFrame', () => {
  it('is the ping action the backend ignores', () => {
    // Assess
    expect(JSON.parse(keepAliveFrame)).toEqual({ action: 'ping' });
  });
});
