/** The authorizer's context: what it writes, and what the chat function reads back. */
import { describe, expect, it } from 'vitest';
import { authorizedConnectionOf, authorizerContextFor } from '../../src/auth/authorizer-context.ts';

const SENDER = { id: 'AbCdEfGhIj0123_-', name: 'Ada' };

describe('authorizerContextFor and authorizedConnectionOf', () => {
  it('round-trip the sender, the room and the version, as strings on the way', () => {
    // Prepare
    const context = authorizerContextFor(SENDER, { room: 'support', protocolVersion: 3 });

    // Act
    const read = authorizedConnectionOf({
      authorizer: { principalId: SENDER.id, integrationLatency: 12, ...context },
    });

    // Assess
    expect(context).toEqual({
      senderId: SENDER.id,
      senderName: 'Ada',
      room: 'support',
      protocolVersion: '3',
    });
    expect(read).toEqual({ ...SENDER, room: 'support', protocolVersion: 3 });
  });

  it('leave out what the handshake did not name', () => {
    const context = authorizerContextFor(SENDER, { room: undefined, protocolVersion: undefined });

    expect(context).toEqual({ senderId: SENDER.id, senderName: 'Ada' });
    expect(authorizedConnectionOf({ authorizer: context })).toEqual({
      ...SENDER,
      room: undefined,
      protocolVersion: undefined,
    });
  });

  it.each([
    ['no request context', undefined],
    ['no authorizer', { connectionId: 'c' }],
    ['an authorizer without a sender', { authorizer: { principalId: 'x' } }],
    ['a malformed sender id', { authorizer: { senderId: 'short', senderName: 'Ada' } }],
    ['a name the text rules refuse', { authorizer: { senderId: SENDER.id, senderName: '\u202e' } }],
    ['an empty name', { authorizer: { senderId: SENDER.id, senderName: '' } }],
  ])('read no sender from %s', (_case, requestContext) => {
    expect(authorizedConnectionOf(requestContext)).toBeUndefined();
  });

  it('read no room or version that is not one', () => {
    expect(
      authorizedConnectionOf({
        authorizer: {
          senderId: SENDER.id,
          senderName: 'Ada',
          room: 'No Room',
          protocolVersion: '0',
        },
      }),
    ).toEqual({ ...SENDER, room: undefined, protocolVersion: undefined });
  });
});
