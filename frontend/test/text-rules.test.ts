import { describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import { checkSenderName, codePointLabel } from '../src/text-rules.ts';

describe('checkSenderName', () => {
  it('normalises and trims an acceptable name', () => {
    // Act
    const check = checkSenderName('  Rene\u0301 ');

    // Assess
    expect(check).toEqual({ ok: true, name: 'René' });
  });

  it('accepts no name at all', () => {
    expect(checkSenderName('  ')).toEqual({ ok: true, name: '' });
  });

  it.each([
    [
      'a bidirectional override',
      '\u202eAdmin',
      'It contains a text-direction control (U+202E, character 1); remove it.',
    ],
    [
      'a line break',
      'Ada\nAdmin',
      'It contains an invisible control character (U+000A, character 4); remove it.',
    ],
    [
      'a line separator',
      'Ada\u2028Admin',
      'It contains a line or paragraph separator (U+2028, character 4); remove it.',
    ],
    [
      'half of a surrogate pair',
      'Ada\ud83d',
      'It contains a broken character (half of a surrogate pair) (U+D83D, character 4); remove it.',
    ],
    [
      'nothing visible',
      '\u200b\u2800',
      'It has no visible characters: write one that shows, or leave it empty.',
    ],
    [
      'a length over the limit once normalised',
      // U+FB2C is one UTF-16 unit as typed and three in NFC.
      '\ufb2c'.repeat(contract.limits.maxSenderNameLength / 2),
      `It is too long by ${contract.limits.maxSenderNameLength / 2} characters (the limit is ${contract.limits.maxSenderNameLength}).`,
    ],
  ])('refuses %s and says what to change', (_label, name, why) => {
    // Act
    const check = checkSenderName(name);

    // Assess
    expect(check).toEqual({ ok: false, message: `Your name cannot be sent. ${why}` });
  });
});

describe('codePointLabel', () => {
  it('writes code points the Unicode way', () => {
    // Assess
    expect(codePointLabel(0x7)).toBe('U+0007');
    expect(codePointLabel(0x1f600)).toBe('U+1F600');
  });
});
