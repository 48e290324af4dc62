import { describe, expect, it } from 'vitest';
import { avatarBackground, hueOf, initialsOf } from '../src/avatar.ts';

describe('initialsOf', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['  grace   brewster murray hopper ', 'GH'],
    ['linus', 'LI'],
    ['Émile Zola', 'ÉZ'],
    ['🦊 Fox', '🦊F'],
    ['', '?'],
  ])('%j → %j', (name, initials) => {
    // Act
    const result = initialsOf(name);

    // Assess
    expect(result).toBe(initials);
  });
});

describe('hueOf', () => {
  it('gives one person one colour, regardless of case and spacing', () => {
    // Assess
    expect(hueOf(' Ada ')).toBe(hueOf('ada'));
  });

  it('stays within the colour wheel and tells different names apart', () => {
    // Act
    const hues = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken'].map(hueOf);

    // Assess
    for (const hue of hues) expect(hue).toBeGreaterThanOrEqual(0);
    for (const hue of hues) expect(hue).toBeLessThan(360);
    expect(new Set(hues).size).toBeGreaterThan(1);
  });
});

describe('avatarBackground', () => {
  /** WCAG 2.1 relative luminance of an `hsl(H S% L%)` colour, computed independently of CSS. */
  function luminance(css: string): number {
    const match = /^hsl\((\d+) (\d+)% (\d+)%\)$/.exec(css);
    if (match === null) throw new Error(`not an hsl() colour: ${css}`);
    const [hue, saturation, lightness] = [
      Number(match[1]),
      Number(match[2]) / 100,
      Number(match[3]) / 100,
    ];
    const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
    const channel = (n: number): number => {
      const k = (n + hue / 30) % 12;
      const value = lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
      return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
  }

  it('keeps white initials at WCAG AA contrast (4.5:1) on every hue', () => {
    // Act
    const contrasts = Array.from(
      { length: 360 },
      (_, hue) => 1.05 / (luminance(avatarBackground(hue)) + 0.05),
    );

    // Assess
    expect(Math.min(...contrasts)).toBeGreaterThanOrEqual(4.5);
  });
});
