import { describe, expect, it } from 'vitest';
import {
  anonymousName,
  buildChatFrame,
  checkDraft,
  isGravatarHash,
  keepAliveFrame,
  parseServerEvent,
} from '../src/protocol.ts';

const sha256Hex = 'a'.repeat(64);

describe('parseServerEvent', () => {
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
      message: 'hello',
      senderName: 'Ada',
      senderGravatar: sha256Hex,
      sentAt: new Date('2026-01-02T03:04:05.000Z'),
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

  it('leaves out a blank name and a missing hash', () => {
    // Act
    const frame = buildChatFrame('hi', '   ');

    // Assess
    expect(JSON.parse(frame)).toEqual({ message: 'hi' });
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
