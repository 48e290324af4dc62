import { describe, expect, it } from 'vitest';
import { type MessagePart, tokenizeLinks } from '../src/links.ts';

const text = (value: string): MessagePart => ({ kind: 'text', text: value });
const link = (value: string, href = value): MessagePart => ({ kind: 'link', text: value, href });

describe('tokenizeLinks', () => {
  it.each<[string, string, MessagePart[]]>([
    ['plain text', 'no links here', [text('no links here')]],
    ['an empty message', '', []],
    ['a lone link', 'https://example.com', [link('https://example.com', 'https://example.com/')]],
    [
      'a link mid-sentence',
      'see http://example.com/a?b=1#c now',
      [text('see '), link('http://example.com/a?b=1#c'), text(' now')],
    ],
    [
      'sentence punctuation after a link',
      'Read https://example.com/docs. Then https://example.com/faq?, ok!',
      [
        text('Read '),
        link('https://example.com/docs'),
        text('. Then '),
        link('https://example.com/faq'),
        text('?, ok!'),
      ],
    ],
    [
      'parentheses that belong to the URL',
      'https://en.wikipedia.org/wiki/Tea_(meal)',
      [link('https://en.wikipedia.org/wiki/Tea_(meal)')],
    ],
    [
      'a link inside parentheses',
      '(see https://example.com/x)',
      [text('(see '), link('https://example.com/x'), text(')')],
    ],
    [
      'a wiki link inside parentheses',
      '(https://en.wikipedia.org/wiki/Tea_(meal)).',
      [text('('), link('https://en.wikipedia.org/wiki/Tea_(meal)'), text(').')],
    ],
    [
      'an upper-case scheme and host',
      'HTTPS://EXAMPLE.ORG/Path',
      [link('HTTPS://EXAMPLE.ORG/Path', 'https://example.org/Path')],
    ],
    [
      'a link in angle brackets and quotes',
      '<https://example.com/a> "https://example.com/b"',
      [
        text('<'),
        link('https://example.com/a'),
        text('> "'),
        link('https://example.com/b'),
        text('"'),
      ],
    ],
    [
      'a link on its own line',
      'first\nhttps://example.com/x\nlast',
      [text('first\n'), link('https://example.com/x'), text('\nlast')],
    ],
    [
      'an international domain',
      'https://bücher.example/straße',
      [link('https://bücher.example/straße', 'https://xn--bcher-kva.example/stra%C3%9Fe')],
    ],
  ])('handles %s', (_label, message, parts) => {
    // Act
    const result = tokenizeLinks(message);

    // Assess
    expect(result).toEqual(parts);
    expect(result.map((part) => part.text).join('')).toBe(message);
  });

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['javascript: in upper case', 'JAVASCRIPT:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['ftp:', 'ftp://example.com/file'],
    ['mailto:', 'mailto:ada@example.com'],
    ['file:', 'file:///etc/passwd'],
    ['a scheme glued to a word', 'xhttps://example.com'],
    ['a scheme and nothing else', 'https://'],
    ['a scheme with only punctuation', 'https://.'],
    ['credentials before the host', 'https://bank.example@evil.example/login'],
    ['a javascript: URL posing as a host', 'https://javascript:alert(1)'],
    ['a protocol-relative URL', '//example.com/x'],
    ['a bare domain', 'example.com'],
  ])('leaves %s as text', (_label, message) => {
    // Act
    const result = tokenizeLinks(`before ${message} after`);

    // Assess
    expect(result).toEqual([text(`before ${message} after`)]);
  });

  it('makes every link its own part in a message with several', () => {
    // Act
    const result = tokenizeLinks('https://a.example and https://b.example; also http://c.example!');

    // Assess
    expect(result.filter((part) => part.kind === 'link').map((part) => part.text)).toEqual([
      'https://a.example',
      'https://b.example',
      'http://c.example',
    ]);
  });
});
