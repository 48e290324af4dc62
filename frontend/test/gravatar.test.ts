import { describe, expect, it } from 'vitest';
import { gravatarHash, gravatarUrl } from '../src/gravatar.ts';

describe('gravatarHash', () => {
  it('is the SHA-256 hex of the trimmed, lower-cased address', () => {
    // Act: the example from Gravatar's own hashing guide
    const hash = gravatarHash('  MyEmailAddress@example.com ');

    // Assess
    expect(hash).toBe('84059b07d4be67b806386c0aad8070a23f18836bbaae342275dc0a83414c32ee');
  });

  it('matches the NIST SHA-256 test vector', () => {
    // Act
    const hash = gravatarHash('abc');

    // Assess
    expect(hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('returns nothing for an empty address, so no avatar hash is sent', () => {
    // Act
    const hash = gravatarHash('   ');

    // Assess
    expect(hash).toBeUndefined();
  });
});

describe('gravatarUrl', () => {
  it('asks for a 404 instead of a default image, so the initials avatar can show', () => {
    // Act
    const url = new URL(gravatarUrl('ab'.repeat(32), 80));

    // Assess
    expect(url.origin).toBe('https://www.gravatar.com');
    expect(url.searchParams.get('d')).toBe('404');
    expect(url.searchParams.get('s')).toBe('80');
  });
});
