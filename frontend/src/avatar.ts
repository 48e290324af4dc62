/**
 * Up to two letters that stand for a name: the first letters of its first and last words, or
 * the first two letters of a single word. Works on code points, so emoji and accented names stay
 * whole.
 */
export function initialsOf(name: string): string {
  const words = name
    .trim()
    .split(/\s+/u)
    .filter((word) => word !== '');
  const first = words[0];
  if (first === undefined) return '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  const letters =
    last === undefined ? [...first].slice(0, 2) : [[...first][0] ?? '', [...last][0] ?? ''];
  return letters.join('').toLocaleUpperCase();
}

/**
 * A hue (0–359) derived from a name, so one person keeps one avatar colour in every tab and on
 * every visit, without any state.
 */
export function hueOf(name: string): number {
  // FNV-1a: tiny, and spreads similar names apart.
  let hash = 0x811c9dc5;
  for (const char of name.trim().toLowerCase()) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/**
 * The avatar's background for a hue: dark enough that its white initials keep WCAG's 4.5:1
 * contrast for small text at every hue (the yellows and cyans are the lightest at equal HSL
 * lightness, and still reach 4.75:1 here), in light and dark mode alike.
 */
export function avatarBackground(hue: number): string {
  return `hsl(${hue} 55% 30%)`;
}
