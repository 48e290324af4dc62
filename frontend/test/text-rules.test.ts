import { describe, expect, it } from 'vitest';
import {
  checkSenderName,
  codePointLabel,
  findForbiddenCharacter,
  hasVisibleCharacter,
  normaliseText,
} from '../src/text-rules.ts';

describe('normaliseText', () => {
  it('composes to NFC, so a decomposed "é" becomes the one code point the server stores', () => {
    // Act
    const text = normaliseText('Cafe\u0301');

    // Assess
    expect(text).toBe('Caf\u00e9');
    expect(text).toHaveLength(4);
  });
});

describe('findForbiddenCharacter', () => {
  it.each([
    ['a right-to-left override', 'abc\u202eabc', { kind: 'bidi', codePoint: 0x202e, position: 4 }],
    ['a left-to-right embedding', '\u202ax', { kind: 'bidi', codePoint: 0x202a, position: 1 }],
    ['a first-strong isolate', 'x\u2068', { kind: 'bidi', codePoint: 0x2068, position: 2 }],
    ['a pop directional isolate', '\u2069', { kind: 'bidi', codePoint: 0x2069, position: 1 }],
    ['NUL', 'a\u0000', { kind: 'control', codePoint: 0, position: 2 }],
    ['a bell', '\u0007', { kind: 'control', codePoint: 7, position: 1 }],
    ['a carriage return', 'a\r\nb', { kind: 'control', codePoint: 13, position: 2 }],
    ['DEL', '\u007f', { kind: 'control', codePoint: 0x7f, position: 1 }],
    ['a C1 control', '\u0085', { kind: 'control', codePoint: 0x85, position: 1 }],
    [
      'one after an emoji, counted in code points',
      '😀\u0007',
      { kind: 'control', codePoint: 7, position: 2 },
    ],
  ])('finds %s in a message', (_label, text, found) => {
    // Act
    const result = findForbiddenCharacter(text, true);

    // Assess
    expect(result).toEqual(found);
  });

  it('allows line feeds, tabs, the implicit direction marks and ordinary text in messages', () => {
    // Act
    const result = findForbiddenCharacter('שלום\u200f hello\n\tworld \u200e😀 café', true);

    // Assess
    expect(result).toBeUndefined();
  });

  it('refuses line feeds and tabs where line breaks are not allowed (names)', () => {
    // Assess
    expect(findForbiddenCharacter('Ada\nAdmin', false)).toEqual({
      kind: 'control',
      codePoint: 10,
      position: 4,
    });
    expect(findForbiddenCharacter('Ada\tL', false)?.codePoint).toBe(9);
  });
});

describe('hasVisibleCharacter', () => {
  it.each([
    ['spaces and line breaks', ' \n\t '],
    ['zero-width characters and joiners', '\u200b\u200c\u200d\u2060\ufeff'],
    ['a Hangul filler', '\u3164'],
    ['a no-break space and an ideographic space', '\u00a0\u3000'],
    ['a variation selector alone', '\ufe0f'],
    ['a soft hyphen', '\u00ad'],
  ])('is false for %s', (_label, text) => {
    // Assess
    expect(hasVisibleCharacter(text)).toBe(false);
  });

  it.each([
    ['a letter among invisible ones', '\u200bx\u200b'],
    ['an emoji', '😀'],
    ['a dot', '.'],
    ['Chinese', '你'],
  ])('is true for %s', (_label, text) => {
    // Assess
    expect(hasVisibleCharacter(text)).toBe(true);
  });
});

describe('checkSenderName', () => {
  it('normalises and trims an acceptable name', () => {
    // Act
    const check = checkSenderName('  Rene\u0301 ');

    // Assess
    expect(check).toEqual({ ok: true, name: 'René' });
  });

  it('refuses a bidirectional override and says which character, where', () => {
    // Act
    const check = checkSenderName('\u202eAdmin');

    // Assess
    expect(check).toEqual({
      ok: false,
      message:
        'Your name cannot be sent. It contains a text-direction control (U+202E, character 1); remove it.',
    });
  });

  it('refuses a line break inside a name', () => {
    // Act
    const check = checkSenderName('Ada\nAdmin');

    // Assess
    expect(check).toEqual({
      ok: false,
      message:
        'Your name cannot be sent. It contains an invisible control character (U+000A, character 4); remove it.',
    });
  });
});

describe('codePointLabel', () => {
  it('writes code points the Unicode way', () => {
    // Assess
    expect(codePointLabel(0x7)).toBe('U+0007');
    expect(codePointLabel(0x1f600)).toBe('U+1F600');
  });
});
