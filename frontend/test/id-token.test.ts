import { describe, expect, it } from 'vitest';
import { isTokenFresh, readIdToken, renewalTimeMs, verifiedName } from '../src/id-token.ts';
import { base64Url, jwt } from './fake-tokens.ts';

describe('readIdToken', () => {
  it('reads the subject, expiry and issue time, and every claim, names in any script included', () => {
    // Act
    const token = readIdToken(
      jwt({ sub: 'u-1', exp: 1_800_000_000, iat: 1_799_996_400, name: 'Zoë 鈴木' }),
    );

    // Assess
    expect(token).toEqual({
      sub: 'u-1',
      expiresAtMs: 1_800_000_000_000,
      issuedAtMs: 1_799_996_400_000,
      claims: { sub: 'u-1', exp: 1_800_000_000, iat: 1_799_996_400, name: 'Zoë 鈴木' },
    });
  });

  it.each([
    ['not a JWT', 'abc'],
    ['two parts', 'a.b'],
    ['a payload that is not base64url', 'a.b+c/d.e'],
    ['a payload that is not JSON', `a.${base64Url('nope')}.c`],
    ['an array payload', `a.${base64Url('[1]')}.c`],
    ['no sub', jwt({ exp: 1_800_000_000 })],
    ['an empty sub', jwt({ sub: '', exp: 1_800_000_000 })],
    ['no exp', jwt({ sub: 'u-1' })],
    ['a string exp', jwt({ sub: 'u-1', exp: '1800000000' })],
  ])('refuses %s', (_what, token) => {
    // Assess
    expect(readIdToken(token)).toBeUndefined();
  });
});

describe('isTokenFresh', () => {
  const token = { sub: 'u', expiresAtMs: 100_000, issuedAtMs: 0, claims: {} };

  it('is fresh while it outlives the margin, and not once it would expire within it', () => {
    // Assess
    expect(isTokenFresh(token, 69_999, 30_000)).toBe(true);
    expect(isTokenFresh(token, 70_000, 30_000)).toBe(false);
    expect(isTokenFresh(token, 200_000, 30_000)).toBe(false);
  });
});

describe('renewalTimeMs', () => {
  it('renews an hour-long token 5 minutes before it expires', () => {
    // Act
    const at = renewalTimeMs({ sub: 'u', expiresAtMs: 3_600_000, issuedAtMs: 0, claims: {} }, 0);

    // Assess
    expect(at).toBe(3_300_000);
  });

  it('renews a short-lived token halfway through its life', () => {
    // Act
    const at = renewalTimeMs({ sub: 'u', expiresAtMs: 300_000, issuedAtMs: 0, claims: {} }, 0);

    // Assess
    expect(at).toBe(150_000);
  });

  it('counts a token without iat from now', () => {
    // Act
    const at = renewalTimeMs(
      { sub: 'u', expiresAtMs: 1_060_000, issuedAtMs: undefined, claims: {} },
      1_000_000,
    );

    // Assess
    expect(at).toBe(1_030_000);
  });
});

describe('verifiedName', () => {
  it('falls back to user- and the start of the sender id, never to the email', () => {
    // Act
    const name = verifiedName({ email: 'dave@example.com' }, 'AbCdEfGhIjKlMnOp');

    // Assess
    expect(name).toBe('user-AbCdEf');
  });

  it('takes the first name claim the text rules accept, normalised', () => {
    // Act
    const name = verifiedName({ name: '\u202eAdmin', preferred_username: ' Cafe\u0301 ' }, 'x');

    // Assess
    expect(name).toBe('Café');
  });
});
