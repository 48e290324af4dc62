/** The sender id and display name of a verified token. */
import { describe, expect, it } from 'vitest';
import { displayNameFor, fallbackName, senderIdFor } from '../../src/auth/sender.ts';

describe('senderIdFor', () => {
  it('is a stable 16-character token that hides the subject', () => {
    const id = senderIdFor('https://issuer.example.com', 'ada');

    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(senderIdFor('https://issuer.example.com', 'ada')).toBe(id);
    expect(id).not.toContain('ada');
  });

  it('tells subjects and issuers apart', () => {
    const id = senderIdFor('https://a.example.com', 'ada');

    expect(senderIdFor('https://a.example.com', 'bob')).not.toBe(id);
    expect(senderIdFor('https://b.example.com', 'ada')).not.toBe(id);
  });
});

describe('displayNameFor', () => {
  const claims = ['name', 'preferred_username'];

  it('takes the first claim that holds a name, normalised and trimmed', () => {
    expect(displayNameFor({ name: '  Ada  ', preferred_username: 'ada' }, claims, 'id')).toBe(
      'Ada',
    );
    expect(displayNameFor({ preferred_username: 'e\u0301mile' }, claims, 'id')).toBe('émile');
  });

  it.each([
    ['not a string', { name: 42 }],
    ['empty', { name: '   ' }],
    ['invisible', { name: '\u200b\u200b' }],
    ['too long', { name: 'a'.repeat(65) }],
    ['reversing what follows', { name: '\u202eAdmin' }],
    ['breaking the line', { name: 'Ada\nBob' }],
  ])('skips a name that is %s', (_case, payload) => {
    expect(displayNameFor({ ...payload, preferred_username: 'ada' }, claims, 'id')).toBe('ada');
  });

  it('falls back to a neutral name from the sender id, and never to an inherited property', () => {
    expect(displayNameFor({}, ['toString', 'constructor'], 'AbCdEfGhIj0123_-')).toBe('user-AbCdEf');
    expect(fallbackName('AbCdEfGhIj0123_-')).toBe('user-AbCdEf');
  });
});
