/**
 * The text rules for a chat message and a sender's name, in one place for both sides: the Lambda
 * refuses a frame by them (message.ts) and the page applies the very same functions before it
 * sends (frontend/src/text-rules.ts words the refusals), so the page can neither let through what
 * the server refuses nor refuse what it accepts. Pure and free of Node.js APIs: the page's bundle
 * includes this file.
 *
 * Both sides read the Unicode properties below from their own JavaScript engine; an engine with
 * older Unicode tables sees a newly assigned character as unassigned, which counts as visible.
 */
import contract from './contract.json' with { type: 'json' };

/** Which text a rule is about: a message may break lines, a name may not. */
export type TextField = 'message' | 'senderName';

/** A character the rules refuse, and where it is. */
export interface ForbiddenCharacter {
  /**
   * - `control`: a C0 or C1 control (Unicode Cc), other than line feed and tab in a message;
   * - `bidi`: a bidirectional embedding, override or isolate;
   * - `separator`: the line or paragraph separator U+2028, U+2029 (in a name);
   * - `surrogate`: half of a surrogate pair without its other half (no character at all).
   */
  readonly kind: 'control' | 'bidi' | 'separator' | 'surrogate';
  /** The code point; for a `surrogate`, the lone code unit. */
  readonly codePoint: number;
  /** Position in code points, counting from 1 as a reader would. */
  readonly position: number;
}

/** Why the server refuses a message, as the protocol's error code. */
export type MessageTextCode =
  | 'message_empty'
  | 'message_too_long'
  | 'message_invalid_characters'
  | 'message_invisible';

/** Why the server refuses a sender's name, as the protocol's error code. */
export type SenderNameTextCode =
  | 'sender_name_too_long'
  | 'sender_name_invalid_characters'
  | 'sender_name_invisible';

/** A text the server refuses: the protocol's error code, and the reason it sends with it. */
export interface TextRefusal<Code extends MessageTextCode | SenderNameTextCode> {
  readonly code: Code;
  readonly reason: string;
}

const { maxSenderNameLength } = contract.limits;

/** CRLF and a lone CR, which a message keeps as one `\n` each, as HTML form controls do. */
const CARRIAGE_RETURNS = /\r\n?/g;

/**
 * The bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they
 * reorder what is displayed after them, e.g. `"\u202eAdmin"` shows as `nimdA`. The bidirectional
 * marks (U+200E, U+200F, U+061C) stay allowed: they only set the direction of neutral characters
 * such as digits and punctuation, which mixed Arabic, Hebrew and Latin text needs, and cannot
 * reverse a word.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * Characters refused anywhere in a message: the C0 and C1 controls (Unicode Cc is exactly
 * U+0000-U+001F and U+007F-U+009F) except tab and line feed, since they can hide text, ring bells
 * or break log viewers; and the bidirectional controls. Unpaired surrogates are checked apart,
 * with String.prototype.isWellFormed: in this class, as `\p{Cs}`, they made the scan of non-ASCII
 * text several times slower.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const MESSAGE_FORBIDDEN = /[\0-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/u;

/** The same for a name, where no control character, tab or line break of any kind is allowed. */
const NAME_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** The only characters in the categories Zl and Zp: LINE SEPARATOR and PARAGRAPH SEPARATOR. */
const SEPARATOR = /[\u2028\u2029]/u;

/**
 * A character that shows something: anything but white space, controls, format characters (Cf:
 * zero-width space, joiners, word joiner, BOM, bidirectional marks, tag characters…), marks
 * (M: combining and enclosing marks, variation selectors), the other default-ignorable code points
 * (e.g. the Hangul fillers U+115F, U+1160, U+3164, U+FFA0) and the blank Braille pattern U+2800,
 * which fonts draw as empty space. One match is enough, so the scan stops at the first visible
 * character. Unassigned code points count as visible: they may be emoji newer than the engine's
 * Unicode tables.
 */
const VISIBLE_CHARACTER =
  /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * `String.prototype.isWellFormed` (ES2024): in Node.js 20 and 22 and current browsers, not in all
 * the older ones the page supports, which use UNPAIRED_SURROGATE instead. Declared here rather
 * than taken from the ES2024 `lib`, which Node.js 20 does not have in full.
 */
interface MaybeWellFormed {
  isWellFormed?(): boolean;
}

/**
 * Half of a surrogate pair without its other half: with the `u` flag a pair is one code point, so
 * only a lone surrogate is in Cs. Slower than `isWellFormed` on non-ASCII text, so only where that
 * is missing, and to find where the lone half is.
 */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * The text as both sides check, count and keep it: in a message every CRLF and lone CR becomes
 * `\n`; then Unicode NFC, so a letter sent as base + combining mark and the same letter sent
 * precomposed are one text, of one length; then trimmed.
 * @param text - the text as typed or received
 * @param field - which rules apply
 * @returns the normalised text
 */
export function normaliseText(text: string, field: TextField): string {
  // Most messages have no CR, and looking for one is far cheaper than a replace.
  const unified =
    field === 'message' && text.includes('\r') ? text.replace(CARRIAGE_RETURNS, '\n') : text;
  return unified.normalize('NFC').trim();
}

/**
 * Whether the rules refuse a character of `text`: what the server checks. The page, to say which
 * character, calls `findForbiddenCharacter`, which finds one exactly when this is true.
 * @param text - normalised text (see `normaliseText`)
 * @param field - `message` allows line feed and tab; `senderName` allows no line break at all
 * @returns true when `text` holds a forbidden character or an unpaired surrogate
 */
export function hasForbiddenCharacter(text: string, field: TextField): boolean {
  const wellFormed = (text as MaybeWellFormed).isWellFormed?.() ?? !UNPAIRED_SURROGATE.test(text);
  return !wellFormed || (field === 'message' ? MESSAGE_FORBIDDEN : NAME_FORBIDDEN).test(text);
}

/**
 * The first character the rules refuse in `text`, or `undefined` when there is none.
 * @param text - normalised text (see `normaliseText`)
 * @param field - which rules apply
 * @returns the character, its kind and its position
 */
export function findForbiddenCharacter(
  text: string,
  field: TextField,
): ForbiddenCharacter | undefined {
  const match = (field === 'message' ? MESSAGE_FORBIDDEN : NAME_FORBIDDEN).exec(text);
  const surrogateAt = unpairedSurrogateIndex(text);
  if (match === null && surrogateAt === -1) return undefined;
  const surrogateFirst = surrogateAt !== -1 && (match === null || surrogateAt < match.index);
  const index = surrogateFirst ? surrogateAt : (match?.index ?? 0);
  const char = surrogateFirst ? (text[index] ?? '') : (match?.[0] ?? '');
  return {
    kind: surrogateFirst
      ? 'surrogate'
      : BIDI_CONTROL.test(char)
        ? 'bidi'
        : SEPARATOR.test(char)
          ? 'separator'
          : 'control',
    codePoint: char.codePointAt(0) ?? 0,
    position: [...text.slice(0, index)].length + 1,
  };
}

/**
 * Whether `text` draws at least one character on screen.
 * @param text - normalised text
 * @returns false when it holds only white space, controls, format characters, marks and other
 *   characters that draw nothing
 */
export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE_CHARACTER.test(text);
}

/**
 * What the server refuses a message for, checked in the protocol's order: empty, too long,
 * forbidden character, nothing visible.
 * @param text - the message, normalised (see `normaliseText`)
 * @param maxLength - the longest accepted message, in UTF-16 code units
 * @returns the refusal, or `undefined` when the message is accepted
 */
export function messageTextProblem(
  text: string,
  maxLength: number,
): TextRefusal<MessageTextCode> | undefined {
  if (text === '') return { code: 'message_empty', reason: '"message" must not be empty.' };
  if (text.length > maxLength) {
    return {
      code: 'message_too_long',
      reason: `"message" must be at most ${maxLength} characters.`,
    };
  }
  if (hasForbiddenCharacter(text, 'message')) {
    return {
      code: 'message_invalid_characters',
      reason:
        '"message" must not contain control characters (other than line breaks and tabs) or bidirectional override, embedding or isolate characters.',
    };
  }
  if (!hasVisibleCharacter(text)) {
    return {
      code: 'message_invisible',
      reason: '"message" must contain at least one visible character.',
    };
  }
  return undefined;
}

/**
 * What the server refuses a sender's name for, in the protocol's order: too long, forbidden
 * character, nothing visible. An empty name is accepted (the sender gave none, and the page shows
 * a placeholder); a name that only looks empty is not, as it would show as a blank where the
 * placeholder belongs.
 * @param text - the name, normalised (see `normaliseText`)
 * @returns the refusal, or `undefined` when the name is accepted
 */
export function senderNameTextProblem(text: string): TextRefusal<SenderNameTextCode> | undefined {
  if (text.length > maxSenderNameLength) {
    return {
      code: 'sender_name_too_long',
      reason: `"senderName" must be at most ${maxSenderNameLength} characters.`,
    };
  }
  if (hasForbiddenCharacter(text, 'senderName')) {
    return {
      code: 'sender_name_invalid_characters',
      reason:
        '"senderName" must not contain control characters, tabs, line breaks or bidirectional override, embedding or isolate characters.',
    };
  }
  if (text !== '' && !hasVisibleCharacter(text)) {
    return {
      code: 'sender_name_invisible',
      reason: '"senderName" must contain at least one visible character, or be left out.',
    };
  }
  return undefined;
}

/** The index (in code units) of the first surrogate without its other half, or -1. */
function unpairedSurrogateIndex(text: string): number {
  return UNPAIRED_SURROGATE.exec(text)?.index ?? -1;
}
