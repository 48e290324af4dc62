import { describe, expect, it } from 'vitest';
import contract from '../src/contract.json' with { type: 'json' };
import {
  buildErrorEvent,
  buildMessageEvent,
  maxFrameBytes,
  parseClientFrame,
} from '../src/message.ts';

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
    // Prepare: the worst case the byte limit must still admit
    const body = JSON.stringify({ message: `x${'\u0001'.repeat(MAX - 1)}` });

    // Act
    const frame = parseClientFrame(body, MAX);

    // Assess
    expect(frame.kind).toBe('message');
  });

  const invalidFrames: ReadonlyArray<readonly [string, string | undefined, string]> = [
    ['payload_too_large', 'x'.repeat(maxFrameBytes(MAX) + 1), 'a frame above the byte limit'],
    ['invalid_json', '{"message":', 'malformed JSON'],
    ['invalid_json', undefined, 'a missing body'],
    ['not_an_object', '["hello"]', 'an array'],
    ['not_an_object', 'null', 'null'],
    ['not_an_object', '"hello"', 'a bare string'],
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

describe('buildMessageEvent', () => {
  it('builds exactly the protocol fields, never the client object spread through', () => {
    // Prepare
    const body = JSON.stringify({ message: 'hi', senderName: 'Ada', admin: true, type: 'x' });
    const frame = parseClientFrame(body, MAX);
    if (frame.kind !== 'message') throw new Error('expected a message');

    // Act
    const event = buildMessageEvent(frame.chatMessage, new Date('2026-11-27T06:00:00.000Z'));

    // Assess
    expect(JSON.stringify(event)).toBe(
      '{"type":"message","message":"hi","senderName":"Ada","senderGravatar":"","sentAt":"2026-11-27T06:00:00.000Z"}',
    );
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
});
