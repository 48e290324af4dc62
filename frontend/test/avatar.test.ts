import { describe, expect, it } from 'vitest';
import { hueOf, initialsOf } from '../src/avatar.ts';

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
