import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import {
  buildAckEvent,
  buildDeliveryIncompleteEvent,
  buildErrorEvent,
  buildMessageEvent,
  maxFrameBytes,
  parseClientFrame,
} from '../../src/protocol/message.ts';

const MAX = contract.limits.maxMessageLength;
const MD5 = '0bc83cb571cd1c50ba6f3e8a78ef1346';
const SHA256 = 'a'.repeat(64);

describe('parseClientFrame', () => {
  it('accepts the reference page format, trimming text and lower-casing the hash', () => {
    // Prepare
    const body = JSON.stringify({
      action: 'sendmessage',
      message: '  hello  ',
      senderName: ' Ada ',
      senderGravatar: MD5.toUpperCase(),
    });

    // Act
    const frame = parseClientFrame(body, MAX);

    // Assess
    expect(frame).toEqual({
      kind: 'message',
      chatMessage: { message: 'hello', senderName: 'Ada', senderGravatar: MD5 },
    });
  });

  it('accepts a message without sender fields, with both empty', () => {
    const frame = parseClientFrame('{"message":"hi"}', MAX);

    expect(frame).toEqual({
      kind: 'message',
      chatMessage: { message: 'hi', senderName: '', senderGravatar: '' },
    });
  });

  it('accepts a SHA-256 hash', () => {
    const frame = parseClientFrame(JSON.stringify({ message: 'hi', senderGravatar: SHA256 }), MAX);

    expect(frame.kind).toBe('message');
  });

  it('recognises a ping', () => {
    expect(parseClientFrame('{"action":"ping"}', MAX)).toEqual({ kind: 'ping' });
  });

  it('counts length in UTF-16 code units, as the page and its maxlength do', () => {
    // Prepare: 5 emoji are 10 UTF-16 code units
    const body = JSON.stringify({ message: '😀'.repeat(5) });

    // Act
    const atLimit = parseClientFrame(body, 10);
    const overLimit = parseClientFrame(body, 9);

    // Assess
    expect(atLimit.kind).toBe('message');
    expect(overLimit).toMatchObject({ kind: 'invalid', code: 'message_too_long' });
  });

  it('accepts a message of exactly the maximum length', () => {
    const frame = parseClientFrame(JSON.stringify({ message: 'x'.repeat(MAX) }), MAX);

    expect(frame.kind).toBe('message');
  });

  it('accepts a maximal message whose every character is escaped in the JSON', () => {
    // Prepare: the worst case the byte limit must still admit, as an encoder that escapes every
    // non-ASCII character (Python's json.dumps, by default) sends it: 'é' as \u00e9
    const body = `{"message":"${'\\u00e9'.repeat(MAX)}","senderName":"${'\\u00e9'.repeat(contract.limits.maxSenderNameLength)}"}`;

    // Act
    const frame = parseClientFrame(body, MAX);

    // Assess
    expect(Buffer.byteLength(body)).toBeGreaterThan(
      6 * (MAX + contract.limits.maxSenderNameLength),
    );
    expect(frame.kind).toBe('message');
  });

  const invalidFrames: ReadonlyArray<readonly [string, string | undefined, string]> = [
    ['payload_too_large', 'x'.repeat(maxFrameBytes(MAX) + 1), 'a frame above the byte limit'],
    ['invalid_json', '{"message":', 'malformed JSON'],
    ['invalid_json', undefined, 'a missing body'],
    ['not_an_object', '["hello"]', 'an array'],
    ['not_an_object', 'null', 'null'],
    ['not_an_object', '"hello"', 'a bare string'],
    ['unknown_action', '{"action":"nope","message":"x"}', 'an unknown action with a message'],
    ['unknown_action', '{"action":"nope"}', 'an unknown action alone'],
    ['unknown_action', '{"action":"PING"}', 'an action in the wrong case'],
    ['unknown_action', '{"action":null,"message":"x"}', 'a null action'],
    ['unknown_action', '{"action":["sendmessage"],"message":"x"}', 'an action that is no string'],
    ['message_required', '{"senderName":"Ada"}', 'no message'],
    ['message_required', '{"message":42}', 'a number as message'],
    ['message_empty', '{"message":" \\n\\t "}', 'a blank message'],
    ['message_too_long', JSON.stringify({ message: 'x'.repeat(MAX + 1) }), 'a long message'],
    ['sender_name_invalid', '{"message":"hi","senderName":7}', 'a number as name'],
    [
      'sender_name_too_long',
      JSON.stringify({
        message: 'hi',
        senderName: 'n'.repeat(contract.limits.maxSenderNameLength + 1),
      }),
      'a long name',
    ],
    [
      'sender_gravatar_invalid',
      '{"message":"hi","senderGravatar":"ada@example.com"}',
      'an email address as avatar',
    ],
    ['sender_gravatar_invalid', `{"message":"hi","senderGravatar":"${MD5}0"}`, 'a 33-digit hash'],
    ['sender_gravatar_invalid', `{"message":"hi","senderGravatar":"${'g'.repeat(32)}"}`, 'non-hex'],
    ['sender_gravatar_invalid', '{"message":"hi","senderGravatar":123}', 'a number as avatar'],
  ];

  it.each(invalidFrames)('returns %s for %#: %s', (code, body) => {
    // Act
    const frame = parseClientFrame(body, MAX);

    // Assess
    expect(frame).toMatchObject({ kind: 'invalid', code });
  });

  it('checks the byte size before parsing', () => {
    // Prepare: valid JSON, but too big to be worth parsing
    const body = JSON.stringify({ message: 'hi', padding: ' '.repeat(maxFrameBytes(MAX)) });

    // Act
    const frame = parseClientFrame(body, MAX);

    // Assess
    expect(frame).toMatchObject({ kind: 'invalid', code: 'payload_too_large' });
  });
});

describe('parseClientFrame: text hygiene', () => {
  const NAME_MAX = contract.limits.maxSenderNameLength;

  /** The chat message a frame with these fields turns into; fails the test on a refusal. */
  function accepted(fields: Record<string, unknown>): { message: string; senderName: string } {
    const frame = parseClientFrame(JSON.stringify(fields), MAX);
    if (frame.kind !== 'message')
      throw new Error(`expected a message, got ${JSON.stringify(frame)}`);
    return frame.chatMessage;
  }

  describe('NFC normalisation', () => {
    it('sends the composed form of a decomposed message and name', () => {
      // Act: "Zoë" with U+0308 COMBINING DIAERESIS after the e
      const chatMessage = accepted({ message: 'Zoe\u0308 says hi', senderName: 'Zoe\u0308' });

      // Assess: one precomposed U+00EB
      expect(chatMessage).toMatchObject({ message: 'Zo\u00eb says hi', senderName: 'Zo\u00eb' });
    });

    it('counts the length after normalising, so a decomposed text at the limit passes', () => {
      // Prepare: twice the limit in code units as sent, exactly the limit once composed
      const message = 'e\u0301'.repeat(MAX);
      const senderName = 'e\u0301'.repeat(NAME_MAX);

      // Act
      const chatMessage = accepted({ message, senderName });

      // Assess
      expect(chatMessage.message).toBe('\u00e9'.repeat(MAX));
      expect(chatMessage.senderName).toBe('\u00e9'.repeat(NAME_MAX));
    });

    it('counts the length after normalising, also where NFC makes the text longer', () => {
      // Prepare: U+FB2C (a Hebrew presentation form) is 1 code unit as sent, 3 in NFC
      const message = '\ufb2c'.repeat(MAX / 2);
      const senderName = '\ufb2c'.repeat(NAME_MAX / 2);

      // Act
      const longMessage = parseClientFrame(JSON.stringify({ message }), MAX);
      const longName = parseClientFrame(JSON.stringify({ message: 'hi', senderName }), MAX);

      // Assess
      expect(longMessage).toMatchObject({ kind: 'invalid', code: 'message_too_long' });
      expect(longName).toMatchObject({ kind: 'invalid', code: 'sender_name_too_long' });
    });
  });

  describe('line breaks', () => {
    it('keeps newlines and tabs inside a message', () => {
      expect(accepted({ message: 'line one\n\tline two' }).message).toBe('line one\n\tline two');
    });

    it('turns CRLF and a lone CR into one newline each', () => {
      expect(accepted({ message: 'one\r\ntwo\rthree\r\n\r\nfour' }).message).toBe(
        'one\ntwo\nthree\n\nfour',
      );
    });

    it('treats a message of line breaks only as empty', () => {
      const frame = parseClientFrame(JSON.stringify({ message: '\r\n\r\n \t' }), MAX);

      expect(frame).toMatchObject({ kind: 'invalid', code: 'message_empty' });
    });

    it('counts a CRLF as one character', () => {
      // Prepare: MAX characters once each CRLF is a newline, more as sent
      const message = `${'x\r\n'.repeat(MAX / 2 - 1)}xx`;

      // Act
      const chatMessage = accepted({ message });

      // Assess
      expect(chatMessage.message).toHaveLength(MAX);
    });
  });

  const validTexts: ReadonlyArray<readonly [string, string]> = [
    ['an emoji ZWJ sequence', 'technologist \u{1F469}\u200D\u{1F4BB}'],
    ['a family emoji', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
    ['an emoji with a skin tone', '\u{1F44B}\u{1F3FD}'],
    ['an emoji with variation selector 16', 'I \u2764\uFE0F it'],
    ['a keycap', '1\uFE0F\u20E3'],
    [
      'a subdivision flag (tag characters)',
      '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
    ],
    ['a letter with two combining marks', 'Vi\u1EC7t and x\u0302\u0301'],
    ['Devanagari with its vowel signs and virama', '\u0928\u092E\u0938\u094D\u0924\u0947'],
    ['Persian with a zero-width non-joiner', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
    ['Hebrew with a right-to-left mark', '\u05E9\u05DC\u05D5\u05DD 42\u200F!'],
    ['Arabic with an Arabic letter mark', '\u0627\u0644\u0639\u062F\u062F \u061C123'],
    ['a word with a soft hyphen', 'hyphen\u00ADation'],
    ['a single visible character among invisible ones', '\u200B\u200Bx\u200B'],
  ];

  it.each(validTexts)('accepts %s, as a message and as a name', (_, text) => {
    // Prepare: already NFC, so the text comes back unchanged
    expect(text.normalize('NFC')).toBe(text);

    // Act
    const chatMessage = accepted({ message: text, senderName: text });

    // Assess
    expect(chatMessage).toMatchObject({ message: text, senderName: text });
  });

  const invalidMessages: ReadonlyArray<readonly [string, string, string]> = [
    ['message_invalid_characters', 'a\u0000b', 'NUL'],
    ['message_invalid_characters', 'ding\u0007', 'BEL'],
    ['message_invalid_characters', '\u001B[2Jcleared', 'an ANSI escape sequence'],
    ['message_invalid_characters', 'a\u000Bb', 'a vertical tab inside the text'],
    ['message_invalid_characters', 'a\u007Fb', 'DEL'],
    ['message_invalid_characters', 'a\u0085b', 'NEL, a C1 control'],
    ['message_invalid_characters', 'a\u009Bb', 'CSI, a C1 control'],
    ['message_invalid_characters', '\u202EAdmin', 'a right-to-left override'],
    ['message_invalid_characters', 'a\u202Ab', 'a left-to-right embedding'],
    ['message_invalid_characters', 'a\u202Bb', 'a right-to-left embedding'],
    ['message_invalid_characters', 'a\u202Cb', 'a pop directional formatting'],
    ['message_invalid_characters', 'a\u202Db', 'a left-to-right override'],
    ['message_invalid_characters', '\u2066a\u2069', 'a left-to-right isolate'],
    ['message_invalid_characters', '\u2067a', 'a right-to-left isolate'],
    ['message_invalid_characters', '\u2068a', 'a first strong isolate'],
    ['message_invalid_characters', 'a\uD800b', 'an unpaired high surrogate'],
    ['message_invalid_characters', 'a\uDC00', 'an unpaired low surrogate'],
    ['message_invalid_characters', '\u200B\u0001', 'a control among invisible characters'],
    ['message_invisible', '\u200B', 'a zero-width space'],
    ['message_invisible', '\u200C\u200D', 'zero-width joiners'],
    ['message_invisible', '\u2060', 'a word joiner'],
    ['message_invisible', '\u200B\uFEFF\u200B', 'a BOM between zero-width spaces'],
    ['message_invisible', '\uFE0F', 'a variation selector alone'],
    ['message_invisible', '\u{E0100}', 'a supplementary variation selector alone'],
    ['message_invisible', '\u0301\u0308', 'combining marks without a letter'],
    ['message_invisible', '\u200E\u200F', 'bidirectional marks only'],
    ['message_invisible', '\u00AD', 'a soft hyphen alone'],
    ['message_invisible', '\u{E0067}\u{E007F}', 'tag characters only'],
    ['message_invisible', '\u3164', 'a Hangul filler'],
    ['message_invisible', '\u2800\u2800', 'blank Braille patterns'],
    ['message_invisible', '\u200B \n\t\u3000\u200B', 'white space and zero-width spaces'],
  ];

  it.each(invalidMessages)('refuses a message with %s: %s (%s)', (code, message) => {
    // Act
    const frame = parseClientFrame(JSON.stringify({ message }), MAX);

    // Assess
    expect(frame).toMatchObject({ kind: 'invalid', code });
  });

  const invalidNames: ReadonlyArray<readonly [string, string, string]> = [
    ['sender_name_invalid_characters', '\u202EAdmin', 'a right-to-left override'],
    ['sender_name_invalid_characters', '\u2067Ada\u2069', 'an isolate'],
    ['sender_name_invalid_characters', 'Ada\nAdmin', 'a newline'],
    ['sender_name_invalid_characters', 'Ada\r\nAdmin', 'a CRLF'],
    ['sender_name_invalid_characters', 'Ada\tLovelace', 'a tab'],
    ['sender_name_invalid_characters', 'Ada\u0000', 'NUL'],
    ['sender_name_invalid_characters', 'Ada\u0085', 'NEL, a C1 control'],
    ['sender_name_invalid_characters', 'Ada\u2028Admin', 'a line separator'],
    ['sender_name_invalid_characters', 'Ada\u2029Admin', 'a paragraph separator'],
    ['sender_name_invalid_characters', 'Ada\uD83D', 'an unpaired surrogate'],
    ['sender_name_invisible', '\u200B', 'a zero-width space'],
    ['sender_name_invisible', '\u3164', 'a Hangul filler'],
    ['sender_name_invisible', '\u2800', 'a blank Braille pattern'],
    ['sender_name_invisible', '\u200D\uFE0F', 'a joiner and a variation selector'],
  ];

  it.each(invalidNames)('refuses a name with %s: %s (%s)', (code, senderName) => {
    // Act
    const frame = parseClientFrame(JSON.stringify({ message: 'hi', senderName }), MAX);

    // Assess
    expect(frame).toMatchObject({ kind: 'invalid', code });
  });

  it('accepts an empty name, and one that is blank after trimming, as no name', () => {
    expect(accepted({ message: 'hi', senderName: '' }).senderName).toBe('');
    expect(accepted({ message: 'hi', senderName: ' \u3000 ' }).senderName).toBe('');
  });

  it('trims line breaks around a name rather than refusing them', () => {
    expect(accepted({ message: 'hi', senderName: '\r\n Ada \n' }).senderName).toBe('Ada');
  });

  it('reports the first problem in the documented order', () => {
    // Prepare: each frame has two problems; the earlier one in docs/protocol.md's table of error codes wins
    const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
      ['message_too_long', { message: `\u202E${'x'.repeat(MAX)}` }],
      ['message_invalid_characters', { message: '\u200B\u202E', senderName: '\u202EAdmin' }],
      ['message_invisible', { message: '\u200B', senderName: '\u202EAdmin' }],
      ['sender_name_too_long', { message: 'hi', senderName: `\u202E${'n'.repeat(NAME_MAX)}` }],
      ['sender_name_invalid_characters', { message: 'hi', senderName: '\u200B\u0007' }],
      ['sender_name_invisible', { message: 'hi', senderName: '\u200B', senderGravatar: 'a@b.c' }],
    ];

    // Act
    const codes = cases.map(([, fields]) => parseClientFrame(JSON.stringify(fields), MAX));

    // Assess
    expect(codes.map((frame) => (frame.kind === 'invalid' ? frame.code : frame.kind))).toEqual(
      cases.map(([code]) => code),
    );
  });
});

describe('the client id of a chat message', () => {
  it('is passed on with the message', () => {
    const frame = parseClientFrame(
      '{"message":"hi","clientId":"3b241101-e2bb-4255-8caf-4136c566a962"}',
      MAX,
    );

    expect(frame).toEqual({
      kind: 'message',
      chatMessage: { message: 'hi', senderName: '', senderGravatar: '' },
      clientId: '3b241101-e2bb-4255-8caf-4136c566a962',
    });
  });

  it('may be 1 to 64 letters, digits, - and _', () => {
    for (const clientId of ['a', 'A_b-9', 'x'.repeat(64)]) {
      expect(parseClientFrame(JSON.stringify({ message: 'hi', clientId }), MAX)).toMatchObject({
        kind: 'message',
        clientId,
      });
    }
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['with a dot', 'a.b'],
    ['with a #, which would leave its partition', 'a#b'],
    ['a number', 12],
    ['null', null],
  ])('is refused when %s, with client_id_invalid and no client id', (_, clientId) => {
    const frame = parseClientFrame(JSON.stringify({ message: 'hi', clientId }), MAX);

    expect(frame).toMatchObject({ kind: 'invalid', code: 'client_id_invalid' });
    expect(frame).not.toHaveProperty('clientId');
  });

  it('is named by every later refusal of its frame', () => {
    const frame = parseClientFrame('{"message":"  ","clientId":"c1"}', MAX);

    expect(frame).toMatchObject({ kind: 'invalid', code: 'message_empty', clientId: 'c1' });
  });

  it('is checked before the message itself', () => {
    const frame = parseClientFrame('{"message":"","clientId":"a b"}', MAX);

    expect(frame).toMatchObject({ kind: 'invalid', code: 'client_id_invalid' });
  });
});

describe('the history request frame', () => {
  it('is recognised with a serial to start after, 0 included', () => {
    expect(parseClientFrame('{"action":"history","after":12}', 100)).toEqual({
      kind: 'history',
      after: 12,
    });
    expect(parseClientFrame('{"action":"history","after":0}', 100)).toEqual({
      kind: 'history',
      after: 0,
    });
  });

  it('is recognised, with or without a message id to start after', () => {
    expect(parseClientFrame('{"action":"history"}', 100)).toEqual({
      kind: 'history',
      after: undefined,
    });
    expect(
      parseClientFrame('{"action":"history","after":"01KB0000000000000000000000"}', 100),
    ).toEqual({
      kind: 'history',
      after: '01KB0000000000000000000000',
    });
  });

  it.each(['"x"', '"12"', '-1', '1.5', '1e300', 'null', '"01kb0000000000000000000000"'])(
    'refuses after=%s',
    (after) => {
      expect(parseClientFrame(`{"action":"history","after":${after}}`, 100)).toMatchObject({
        kind: 'invalid',
        code: 'history_after_invalid',
      });
    },
  );
});

describe('buildMessageEvent', () => {
  it('builds exactly the protocol fields, never the client object spread through', () => {
    // Prepare
    const body = JSON.stringify({ message: 'hi', senderName: 'Ada', admin: true, type: 'x' });
    const frame = parseClientFrame(body, MAX);
    if (frame.kind !== 'message') throw new Error('expected a message');

    // Act
    const event = buildMessageEvent(
      frame.chatMessage,
      new Date('2026-11-27T06:00:00.000Z'),
      '01KB0000000000000000000000',
      'support',
      42,
    );

    // Assess
    expect(JSON.stringify(event)).toBe(
      '{"type":"message","id":"01KB0000000000000000000000","seq":42,"room":"support","message":"hi","senderName":"Ada","senderGravatar":"","sentAt":"2026-11-27T06:00:00.000Z"}',
    );
  });

  it("gives a verified sender's message its sender id and the verified name", () => {
    // Prepare: the frame's own name is never read for a verified sender
    const body = JSON.stringify({ message: 'hi', senderName: 'Mallory' });
    const frame = parseClientFrame(body, MAX, { verifiedSender: true });
    if (frame.kind !== 'message') throw new Error('expected a message');

    // Act
    const event = buildMessageEvent(
      frame.chatMessage,
      new Date('2026-11-27T06:00:00.000Z'),
      '01KB0000000000000000000000',
      'support',
      42,
      { id: 'AdaAdaAdaAdaAda0', name: 'Ada Lovelace' },
    );

    // Assess
    expect(JSON.stringify(event)).toBe(
      '{"type":"message","id":"01KB0000000000000000000000","seq":42,"room":"support","message":"hi","senderId":"AdaAdaAdaAdaAda0","senderName":"Ada Lovelace","senderGravatar":"","sentAt":"2026-11-27T06:00:00.000Z"}',
    );
  });
});

describe('parseClientFrame for a verified sender', () => {
  it.each([
    ['a name', { senderName: 'Mallory' }],
    ['a name the rules refuse', { senderName: '\u202eAdmin' }],
    ['a name that is no string', { senderName: 7 }],
    ['a name far too long', { senderName: 'n'.repeat(500) }],
  ])("never reads the frame's name: %s is ignored, not refused", (_case, fields) => {
    expect(
      parseClientFrame(JSON.stringify({ message: 'hi', ...fields }), MAX, { verifiedSender: true }),
    ).toEqual({
      kind: 'message',
      chatMessage: { message: 'hi', senderName: '', senderGravatar: '' },
      clientId: undefined,
    });
  });

  it('still checks everything else', () => {
    expect(
      parseClientFrame('{"message":"","senderName":"x"}', MAX, { verifiedSender: true }),
    ).toMatchObject({ kind: 'invalid', code: 'message_empty' });
  });
});

describe('buildErrorEvent', () => {
  it('builds the error event', () => {
    expect(buildErrorEvent('message_empty', 'nope')).toEqual({
      type: 'error',
      code: 'message_empty',
      message: 'nope',
    });
  });

  it('adds the wait to a rate_limited event', () => {
    expect(buildErrorEvent('rate_limited', 'slow down', { retryAfterMs: 1500 })).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 1500,
    });
  });
});

describe('the frames only a client with a client id gets', () => {
  const accepted = { clientId: 'c1', id: '01KB0000000000000000000000', seq: 7, room: 'support' };

  it('acknowledges an accepted message with both ids, its serial and its room', () => {
    expect(JSON.stringify(buildAckEvent(accepted))).toBe(
      '{"type":"ack","clientId":"c1","id":"01KB0000000000000000000000","seq":7,"room":"support"}',
    );
  });

  it('reports the members an accepted message did not reach', () => {
    expect(buildDeliveryIncompleteEvent(accepted, 3)).toEqual({
      type: 'delivery_incomplete',
      ...accepted,
      unreached: 3,
    });
  });

  it('names the refused frame in an error', () => {
    expect(buildErrorEvent('internal_error', 'try again', { clientId: 'c1' })).toEqual({
      type: 'error',
      code: 'internal_error',
      message: 'try again',
      clientId: 'c1',
    });
  });
});
