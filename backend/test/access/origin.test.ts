import { describe, expect, it } from 'vitest';
import { findHeader, isOriginAllowed } from '../../src/access/origin.ts';

const allowed = new Set(['https://chat.example.com', 'http://localhost:5173']);

describe('findHeader', () => {
  it('finds a header whatever case the client used', () => {
    expect(findHeader({ ORIGIN: 'a' }, 'origin')).toBe('a');
    expect(findHeader({ origin: 'b' }, 'Origin')).toBe('b');
    expect(findHeader({ oRiGiN: 'c' }, 'Origin')).toBe('c');
  });

  it('returns undefined when the header or the map is absent', () => {
    expect(findHeader({ Host: 'x' }, 'Origin')).toBeUndefined();
    expect(findHeader(undefined, 'Origin')).toBeUndefined();
  });
});

describe('isOriginAllowed', () => {
  it('allows everything when there is no allow-list', () => {
    expect(isOriginAllowed(undefined, undefined)).toBe(true);
    expect(isOriginAllowed({ Origin: 'https://evil.example' }, undefined)).toBe(true);
  });

  it('allows a listed origin under any header-name case', () => {
    expect(isOriginAllowed({ Origin: 'https://chat.example.com' }, allowed)).toBe(true);
    expect(isOriginAllowed({ origin: 'http://localhost:5173' }, allowed)).toBe(true);
    expect(isOriginAllowed({ ORIGIN: 'https://chat.example.com' }, allowed)).toBe(true);
  });

  it('compares origins as browsers serialise them (host case, default port)', () => {
    expect(isOriginAllowed({ Origin: 'https://CHAT.example.com:443' }, allowed)).toBe(true);
  });

  it('refuses an origin that differs in scheme, host or port', () => {
    expect(isOriginAllowed({ Origin: 'http://chat.example.com' }, allowed)).toBe(false);
    expect(isOriginAllowed({ Origin: 'https://chat.example.com.evil.io' }, allowed)).toBe(false);
    expect(isOriginAllowed({ Origin: 'http://localhost:5174' }, allowed)).toBe(false);
  });

  it('refuses a missing, opaque or malformed Origin', () => {
    expect(isOriginAllowed({ Host: 'x' }, allowed)).toBe(false);
    expect(isOriginAllowed(undefined, allowed)).toBe(false);
    expect(isOriginAllowed({ Origin: 'null' }, allowed)).toBe(false);
    expect(isOriginAllowed({ Origin: '' }, allowed)).toBe(false);
  });
});
