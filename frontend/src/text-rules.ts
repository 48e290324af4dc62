/**
 * The server's text rules, mirrored so the page can refuse what the server would, and say why,
 * before anything is sent. Both sides normalise to NFC first; then a message may hold line breaks
 * and tabs but no other control character, no bidirectional override or isolate (they can make
 * text read differently from how it is stored, e.g. a name shown as "Admin"), and at least one
 * visible character. A name may hold no control character at all.
 */

/**
 * The bidirectional embeddings, overrides and isolates: LRE, RLE, PDF, LRO, RLO (U+202A–U+202E)
 * and LRI, RLI, FSI, PDI (U+2066–U+2069). The implicit marks (LRM, RLM, ALM) stay allowed: they
 * only nudge neutral characters and are needed to write mixed-direction text.
 */
const bidiControl = /[\u202A-\u202E\u2066-\u2069]/u;

/** C0 and C1 control characters (Unicode category Cc), DEL included. */
const controlCharacter = /\p{Cc}/u;

/**
 * Characters that draw nothing: white space, the default-ignorable code points (zero-width space
 * and joiners, word joiner, BOM, variation selectors, Hangul fillers…), controls and format
 * characters. A message made only of these looks empty on screen.
 */
const invisibleCharacter = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]$/u;

/** A character the rules refuse, and where. */
export interface ForbiddenCharacter {
  readonly kind: 'control' | 'bidi';
  readonly codePoint: number;
  /** Position in code points, counting from 1 as a reader would. */
  readonly position: number;
}

/** Text as both sides compare and store it: Unicode NFC, so "é" is one code point everywhere. */
export function normaliseText(text: string): string {
  return text.normalize('NFC');
}

/**
 * The first character the rules refuse in `text`, or `undefined` when there is none.
 *
 * @param allowLineBreaks - true for messages (line feed and tab allowed), false for names
 */
export function findForbiddenCharacter(
  text: string,
  allowLineBreaks: boolean,
): ForbiddenCharacter | undefined {
  let position = 0;
  for (const char of text) {
    position += 1;
    const codePoint = char.codePointAt(0) ?? 0;
    if (bidiControl.test(char)) return { kind: 'bidi', codePoint, position };
    if (allowLineBreaks && (char === '\n' || char === '\t')) continue;
    if (controlCharacter.test(char)) return { kind: 'control', codePoint, position };
  }
  return undefined;
}

/** Whether `text` draws at least one character on screen. */
export function hasVisibleCharacter(text: string): boolean {
  for (const char of text) if (!invisibleCharacter.test(char)) return true;
  return false;
}

/** `U+202E`: how a refused character is named, since it cannot be shown. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One sentence saying which character was refused, for the error next to the field. */
export function describeForbiddenCharacter(found: ForbiddenCharacter): string {
  const what =
    found.kind === 'bidi' ? 'a text-direction control' : 'an invisible control character';
  return `It contains ${what} (${codePointLabel(found.codePoint)}, character ${found.position}); remove it.`;
}

/** A display name as the page will send it, or why it cannot be sent. */
export type NameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly message: string };

/** Checks a display name the way the server will: NFC, trimmed, no control or bidi character. */
export function checkSenderName(raw: string): NameCheck {
  const name = normaliseText(raw).trim();
  const found = findForbiddenCharacter(name, false);
  if (found !== undefined) {
    return { ok: false, message: `Your name cannot be sent. ${describeForbiddenCharacter(found)}` };
  }
  return { ok: true, name };
}
