import { describe, expect, it } from 'vitest';
import { type ChatMessage, parseClientFrame } from '../../backend/src/protocol/message.ts';
import { buildChatFrame, checkDraft } from '../../frontend/src/protocol.ts';
import { checkSenderName } from '../../frontend/src/text-rules.ts';
import contract from '../contract.json' with { type: 'json' };
import {
  findForbiddenCharacter,
  hasForbiddenCharacter,
  hasVisibleCharacter,
  normaliseText,
} from '../text-rules.ts';

const MAX = contract.limits.maxMessageLength;
const NAME_MAX = contract.limits.maxSenderNameLength;

describe('normaliseText', () => {
  it('composes to NFC, so a decomposed "é" becomes the one code point both sides keep', () => {
    // Act
    const text = normaliseText('Cafe\u0301', 'message');

    // Assess
    expect(text).toBe('Caf\u00e9');
    expect(text).toHaveLength(4);
  });

  it('turns CRLF and a lone CR into one newline in a message, and trims', () => {
    expect(normaliseText(' one\r\ntwo\rthree\r\n', 'message')).toBe('one\ntwo\nthree');
  });

  it('leaves a CR inside a name for the rules to refuse', () => {
    expect(normaliseText(' Ada\rAdmin\r\n', 'senderName')).toBe('Ada\rAdmin');
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
    ['DEL', '\u007f', { kind: 'control', codePoint: 0x7f, position: 1 }],
    ['a C1 control', '\u0085', { kind: 'control', codePoint: 0x85, position: 1 }],
    [
      'one after an emoji, counted in code points',
      '😀\u0007',
      { kind: 'control', codePoint: 7, position: 2 },
    ],
    [
      'an unpaired high surrogate',
      'ab\ud800c',
      { kind: 'surrogate', codePoint: 0xd800, position: 3 },
    ],
    [
      'an unpaired low surrogate',
      '😀\udc00',
      { kind: 'surrogate', codePoint: 0xdc00, position: 2 },
    ],
    [
      'whichever comes first, a surrogate or a control',
      '\ud83d\u0007',
      { kind: 'surrogate', codePoint: 0xd83d, position: 1 },
    ],
  ])('finds %s in a message', (_label, text, found) => {
    // Act
    const result = findForbiddenCharacter(text, 'message');

    // Assess
    expect(result).toEqual(found);
  });

  it('allows line feeds, tabs, the implicit direction marks and ordinary text in messages', () => {
    // Act
    const result = findForbiddenCharacter(
      'שלום\u200f hello\n\tworld \u200e😀 café\u2028',
      'message',
    );

    // Assess
    expect(result).toBeUndefined();
  });

  it('refuses every line break in a name: line feed, tab, CR, and the Unicode separators', () => {
    // Assess
    expect(findForbiddenCharacter('Ada\nAdmin', 'senderName')).toEqual({
      kind: 'control',
      codePoint: 10,
      position: 4,
    });
    expect(findForbiddenCharacter('Ada\tL', 'senderName')?.codePoint).toBe(9);
    expect(findForbiddenCharacter('Ada\rL', 'senderName')?.codePoint).toBe(13);
    expect(findForbiddenCharacter('Ada\u2028L', 'senderName')).toEqual({
      kind: 'separator',
      codePoint: 0x2028,
      position: 4,
    });
    expect(findForbiddenCharacter('Ada\u2029', 'senderName')?.kind).toBe('separator');
  });
});

describe('hasForbiddenCharacter', () => {
  const texts = [
    'plain',
    'tab\tand\nnewline',
    'bell\u0007',
    '\u202eAdmin',
    'Ada\u2028',
    'Ada\ud83d',
    '\udc00',
    '😀 paired',
    'a\u0085',
  ];

  it.each(
    texts.flatMap((text) => [
      [text, 'message'],
      [text, 'senderName'],
    ]) as [string, 'message' | 'senderName'][],
  )('agrees with findForbiddenCharacter on %j as a %s', (text, field) => {
    expect(hasForbiddenCharacter(text, field)).toBe(
      findForbiddenCharacter(text, field) !== undefined,
    );
  });

  it('finds unpaired surrogates where String.prototype.isWellFormed is missing (older browsers)', () => {
    // Prepare
    const native = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');
    Reflect.deleteProperty(String.prototype, 'isWellFormed');

    // Act
    let results: boolean[];
    try {
      results = ['Ada\ud83d', '\udc00x', '😀', 'plain'].map((text) =>
        hasForbiddenCharacter(text, 'message'),
      );
    } finally {
      if (native !== undefined) Object.defineProperty(String.prototype, 'isWellFormed', native);
    }

    // Assess
    expect(results).toEqual([true, true, false, false]);
    expect(Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed')).toEqual(native);
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
    ['combining marks without a letter', '\u0301\u0308'],
    ['blank Braille patterns', '\u2800\u2800'],
    ['line and paragraph separators', '\u2028\u2029'],
  ])('is false for %s', (_label, text) => {
    // Assess
    expect(hasVisibleCharacter(text)).toBe(false);
  });

  it.each([
    ['a letter among invisible ones', '\u200bx\u200b'],
    ['an emoji', '😀'],
    ['a dot', '.'],
    ['Chinese', '你'],
    ['a letter with combining marks', 'x\u0302\u0301'],
    ['a Braille pattern with dots', '\u2801'],
  ])('is true for %s', (_label, text) => {
    // Assess
    expect(hasVisibleCharacter(text)).toBe(true);
  });
});

/**
 * The page applies these rules before it sends (frontend/src/protocol.ts, text-rules.ts). Every
 * text below goes through the page's checks and through `parseClientFrame`: the page must accept
 * exactly what the server accepts, and, when it does, send what the server keeps.
 */
describe('the page and the server agree', () => {
  const texts: ReadonlyArray<readonly [string, string]> = [
    ['plain text', 'Ada'],
    ['text to trim', '  Ada  '],
    ['a decomposed accent', 'Rene\u0301'],
    ['an emoji ZWJ sequence', '\u{1F469}\u200D\u{1F4BB}'],
    ['Hebrew with a right-to-left mark', '\u05E9\u05DC\u05D5\u05DD 42\u200F!'],
    ['nothing but spaces', '   '],
    ['a zero-width space', '\u200B'],
    ['combining marks only', '\u0301\u0308'],
    ['a blank Braille pattern', '\u2800'],
    ['a Hangul filler', '\u3164'],
    ['a variation selector and a joiner', '\uFE0F\u200D'],
    ['a tab inside', 'Ada\tL'],
    ['a newline inside', 'Ada\nAdmin'],
    ['a CRLF inside', 'one\r\ntwo'],
    ['a lone CR inside', 'one\rtwo'],
    ['a line separator inside', 'Ada\u2028Admin'],
    ['a paragraph separator inside', 'Ada\u2029Admin'],
    ['a line separator only', '\u2028'],
    ['a right-to-left override', '\u202EAdmin'],
    ['an isolate', '\u2067Ada\u2069'],
    ['a bell', 'ding\u0007'],
    ['a C1 control', 'a\u0085b'],
    ['an unpaired surrogate', 'Ada\uD83D'],
    ['a long name that NFC makes longer', '\uFB2C'.repeat(NAME_MAX / 2)],
    ['a name at the limit once composed', 'e\u0301'.repeat(NAME_MAX)],
    ['a message over the limit once composed', `${'\uFB2C'.repeat(MAX / 2)}`],
  ];

  /** What the server keeps of a frame, or `undefined` when it refuses it. */
  function serverKeeps(frame: string): ChatMessage | undefined {
    const parsed = parseClientFrame(frame, MAX);
    return parsed.kind === 'message' ? parsed.chatMessage : undefined;
  }

  it.each(texts)('on %s as a message', (_label, text) => {
    // Act
    const page = checkDraft(text, MAX);
    const kept = serverKeeps(JSON.stringify({ message: text }));

    // Assess
    expect(kept?.message).toBe(page.ok ? page.text : undefined);
    if (page.ok) expect(serverKeeps(buildChatFrame(page.text, ''))?.message).toBe(page.text);
  });

  it.each(texts)('on %s as a name', (_label, text) => {
    // Act
    const page = checkSenderName(text);
    const kept = serverKeeps(JSON.stringify({ message: 'hi', senderName: text }));

    // Assess
    expect(kept?.senderName).toBe(page.ok ? page.name : undefined);
    if (page.ok) expect(serverKeeps(buildChatFrame('hi', text))?.senderName).toBe(page.name);
  });
});
