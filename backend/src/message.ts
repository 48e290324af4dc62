/**
 * The chat protocol, as pure functions: validate what a client sent and build what the server
 * sends. Nothing here touches the network, so every rule is unit-tested directly.
 */
import contract from './contract.json' with { type: 'json' };
import { MESSAGE_ID_PATTERN } from './message-id.ts';

/** Why a client frame was refused; sent to the client as the error event's `code`. */
export type ValidationErrorCode =
  | 'payload_too_large'
  | 'invalid_json'
  | 'not_an_object'
  | 'message_required'
  | 'message_empty'
  | 'message_too_long'
  | 'message_invalid_characters'
  | 'message_invisible'
  | 'sender_name_invalid'
  | 'sender_name_too_long'
  | 'sender_name_invalid_characters'
  | 'sender_name_invisible'
  | 'sender_gravatar_invalid'
  | 'history_after_invalid';

/**
 * A validated chat message with only the fields the server forwards; its text normalised to NFC
 * (line breaks as `\n` in the message) and trimmed.
 */
export interface ChatMessage {
  readonly message: string;
  /** Display name; empty when the sender gave none. */
  readonly senderName: string;
  /** Lower-case MD5 or SHA-256 hex hash of the avatar email; empty when the sender gave none. */
  readonly senderGravatar: string;
}

/** What a client frame turned out to be. */
export type ParsedFrame =
  | { readonly kind: 'message'; readonly chatMessage: ChatMessage }
  | { readonly kind: 'ping' }
  | { readonly kind: 'history'; readonly after: string | undefined }
  | { readonly kind: 'invalid'; readonly code: ValidationErrorCode; readonly reason: string };

/** The event every recipient gets for a chat message. */
export interface MessageEvent extends ChatMessage {
  readonly type: 'message';
  /** The room it was sent to. */
  readonly room: string;
  /** Server-assigned, unique and time-sortable (message-id.ts): the page drops repeats. */
  readonly id: string;
  /** When the server accepted the message, ISO-8601 UTC. */
  readonly sentAt: string;
}

/** The event a sender gets when its frame was refused or could not be delivered. */
export interface ErrorEvent {
  readonly type: 'error';
  readonly code: ValidationErrorCode | 'rate_limited' | 'internal_error';
  readonly message: string;
  /** With `rate_limited`: milliseconds until the sender may send again. */
  readonly retryAfterMs?: number;
}

const { maxSenderNameLength } = contract.limits;

/** CRLF and a lone CR, which the message keeps as one `\n` each, as HTML form controls do. */
const CARRIAGE_RETURNS = /\r\n?/g;

/**
 * Characters refused anywhere in a message:
 * - C0 and C1 controls (Unicode Cc is exactly U+0000-U+001F and U+007F-U+009F), except tab and
 *   line feed: they can hide text, ring bells or break log viewers;
 * - the bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069):
 *   they reorder what is displayed after them, e.g. `"\u202eAdmin"` shows as `nimdA`.
 * The bidirectional marks (U+200E, U+200F, U+061C) stay allowed: they only set the direction of
 * neutral characters such as digits and punctuation, which mixed Arabic, Hebrew and Latin text
 * needs, and cannot reverse a word.
 * Unpaired surrogates are refused too, with String.prototype.isWellFormed: in this class, as
 * `\p{Cs}`, they made the scan of non-ASCII text several times slower.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const MESSAGE_FORBIDDEN = /[\0-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/u;

/** The same for a name, where no control character, tab or line break of any kind is allowed. */
const NAME_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/**
 * A character that shows something: anything but white space, controls, format characters (Cf:
 * zero-width space, joiners, word joiner, BOM, bidirectional marks, tag characters…), marks
 * (M: combining and enclosing marks, variation selectors), the other default-ignorable code points
 * (e.g. the Hangul fillers U+115F, U+1160, U+3164, U+FFA0) and the blank Braille pattern U+2800,
 * which fonts draw as empty space. One match is enough, so the scan stops at the first visible
 * character. Unassigned code points count as visible: they may be emoji newer than this runtime's
 * Unicode tables.
 */
const VISIBLE_CHARACTER =
  /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

declare global {
  interface String {
    /**
     * Whether the string has no unpaired surrogate (ES2024; in Node.js 20 and 22). Declared here
     * alone because the project's `lib` stays at ES2023, the newest Node.js 20 has in full.
     */
    isWellFormed(): boolean;
  }
}

/** Allowance for JSON keys, an `action` field and whitespace around the escaped values. */
const FRAME_OVERHEAD_BYTES = 1024;

/**
 * The largest frame worth parsing: every character JSON-escaped at its worst (`\uXXXX`, 6 bytes
 * per UTF-16 code unit) plus a 64-character hash and the overhead. Anything bigger cannot hold a
 * valid message in NFC (what browsers almost always send), so it is refused before JSON.parse
 * spends time on it. The limits count the text after normalisation, so a text sent decomposed
 * (up to 4 code units per composed one) and escaped throughout can be refused here while its NFC
 * form fits.
 * @param maxMessageLength - the configured message limit, in UTF-16 code units
 * @returns the byte limit for a client frame
 */
export function maxFrameBytes(maxMessageLength: number): number {
  return 6 * (maxMessageLength + maxSenderNameLength) + 64 + FRAME_OVERHEAD_BYTES;
}

/**
 * Validates a client frame of the `$default` route.
 * @param body - the frame's text (the event's `body`)
 * @param maxMessageLength - the longest accepted message, in UTF-16 code units
 * @returns the chat message, a ping, or the first thing wrong with the frame
 */
export function parseClientFrame(body: string | undefined, maxMessageLength: number): ParsedFrame {
  const text = body ?? '';
  if (Buffer.byteLength(text, 'utf8') > maxFrameBytes(maxMessageLength)) {
    return invalid('payload_too_large', 'The frame is too large.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid('invalid_json', 'The frame is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('not_an_object', 'The frame must be a JSON object.');
  }
  const fields = parsed as Record<string, unknown>;
  if (fields.action === 'ping') return { kind: 'ping' };
  if (fields.action === 'history') return validateHistoryRequest(fields);
  return validateChatFields(fields, maxMessageLength);
}

/**
 * Builds the event broadcast for a message: a fresh object with exactly the protocol's fields,
 * never the client's object spread through.
 * @param chatMessage - the validated message
 * @param sentAt - when the server accepted it
 * @param id - the message's server-assigned id
 * @param room - the sender's room
 * @returns the event to serialise
 */
export function buildMessageEvent(
  chatMessage: ChatMessage,
  sentAt: Date,
  id: string,
  room: string,
): MessageEvent {
  return {
    type: 'message',
    id,
    room,
    message: chatMessage.message,
    senderName: chatMessage.senderName,
    senderGravatar: chatMessage.senderGravatar,
    sentAt: sentAt.toISOString(),
  };
}

/**
 * Builds the event that tells a sender what went wrong.
 * @param code - machine-readable reason
 * @param message - human-readable reason; never an internal error's text
 * @param extra - fields some codes add (`retryAfterMs` with `rate_limited`)
 * @returns the event to serialise
 */
export function buildErrorEvent(
  code: ErrorEvent['code'],
  message: string,
  extra: Pick<ErrorEvent, 'retryAfterMs'> = {},
): ErrorEvent {
  return { type: 'error', code, message, ...extra };
}

function validateChatFields(
  fields: Record<string, unknown>,
  maxMessageLength: number,
): ParsedFrame {
  if (typeof fields.message !== 'string') {
    return invalid('message_required', '"message" must be a string.');
  }
  const message = normaliseText(normaliseLineBreaks(fields.message));
  if (message === '') return invalid('message_empty', '"message" must not be empty.');
  if (message.length > maxMessageLength) {
    return invalid('message_too_long', `"message" must be at most ${maxMessageLength} characters.`);
  }
  if (MESSAGE_FORBIDDEN.test(message) || !message.isWellFormed()) {
    return invalid(
      'message_invalid_characters',
      '"message" must not contain control characters (other than line breaks and tabs) or bidirectional override, embedding or isolate characters.',
    );
  }
  if (!VISIBLE_CHARACTER.test(message)) {
    return invalid('message_invisible', '"message" must contain at least one visible character.');
  }
  const senderName = fields.senderName ?? '';
  if (typeof senderName !== 'string') {
    return invalid('sender_name_invalid', '"senderName" must be a string.');
  }
  const normalisedName = normaliseText(senderName);
  if (normalisedName.length > maxSenderNameLength) {
    return invalid(
      'sender_name_too_long',
      `"senderName" must be at most ${maxSenderNameLength} characters.`,
    );
  }
  if (NAME_FORBIDDEN.test(normalisedName) || !normalisedName.isWellFormed()) {
    return invalid(
      'sender_name_invalid_characters',
      '"senderName" must not contain control characters, tabs, line breaks or bidirectional override, embedding or isolate characters.',
    );
  }
  // An empty name is allowed: the sender gave none, and the page shows a placeholder. A name that
  // only looks empty is not: it would show as a blank where the placeholder belongs.
  if (normalisedName !== '' && !VISIBLE_CHARACTER.test(normalisedName)) {
    return invalid(
      'sender_name_invisible',
      '"senderName" must contain at least one visible character, or be left out.',
    );
  }
  const senderGravatar = fields.senderGravatar ?? '';
  // A hash only: an email address here would be broadcast to everyone in the chat.
  if (typeof senderGravatar !== 'string' || !isGravatarHash(senderGravatar)) {
    return invalid(
      'sender_gravatar_invalid',
      '"senderGravatar" must be the 32- or 64-character hex hash of an email, not the email.',
    );
  }
  return {
    kind: 'message',
    chatMessage: {
      message,
      senderName: normalisedName,
      senderGravatar: senderGravatar.toLowerCase(),
    },
  };
}

/** CRLF and CR to LF; most messages have no CR, and looking for one is far cheaper than a replace. */
function normaliseLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(CARRIAGE_RETURNS, '\n') : text;
}

/**
 * NFC first, so that a letter sent as base + combining mark and the same letter sent precomposed
 * are one text, of one length, before any check; then trimmed.
 */
function normaliseText(text: string): string {
  return text.normalize('NFC').trim();
}

function isGravatarHash(value: string): boolean {
  return value === '' || /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/i.test(value);
}

function validateHistoryRequest(fields: Record<string, unknown>): ParsedFrame {
  const after = fields.after;
  if (after !== undefined && (typeof after !== 'string' || !MESSAGE_ID_PATTERN.test(after))) {
    return invalid('history_after_invalid', '"after" must be the id of a message.');
  }
  return { kind: 'history', after };
}

function invalid(code: ValidationErrorCode, reason: string): ParsedFrame {
  return { kind: 'invalid', code, reason };
}
