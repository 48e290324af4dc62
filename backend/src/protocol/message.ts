/**
 * The chat protocol, as pure functions: validate what a client sent and build what the server
 * sends. Nothing here touches the network, so every rule is unit-tested directly.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import {
  messageTextProblem,
  normaliseText,
  senderNameTextProblem,
} from '../../../contract/text-rules.ts';
import { MESSAGE_ID_PATTERN } from './message-id.ts';

/** Why a client frame was refused; sent to the client as the error event's `code`. */
export type ValidationErrorCode =
  | 'payload_too_large'
  | 'invalid_json'
  | 'not_an_object'
  | 'unknown_action'
  | 'client_id_invalid'
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

/**
 * Where a history request starts: after a serial (protocol 3), or after a message id (what a
 * page of protocol 2 sends, still answered as it was).
 */
export type HistoryStart = number | string | undefined;

/** What a client frame turned out to be. */
export type ParsedFrame =
  | {
      readonly kind: 'message';
      readonly chatMessage: ChatMessage;
      /** The client's own id of the message, which makes sending it again harmless. */
      readonly clientId: string | undefined;
    }
  | { readonly kind: 'ping' }
  | { readonly kind: 'history'; readonly after: HistoryStart }
  | {
      readonly kind: 'invalid';
      readonly code: ValidationErrorCode;
      readonly reason: string;
      /** The refused frame's client id, when it had a valid one: the sender knows what failed. */
      readonly clientId?: string;
    };

/** The event every recipient gets for a chat message. */
export interface MessageEvent extends ChatMessage {
  readonly type: 'message';
  /** In an auth mode, the sender's stable id; its `senderName` is then the verified name. */
  readonly senderId?: string;
  /** The room it was sent to. */
  readonly room: string;
  /** Server-assigned, unique and time-sortable (message-id.ts): the page drops repeats. */
  readonly id: string;
  /** The room's serial of the message: 1, 2, 3… in the order the room accepted them. */
  readonly seq: number;
  /** When the server accepted the message, ISO-8601 UTC. */
  readonly sentAt: string;
  /** The room's head count when it was sent; live copies only, never in history. */
  readonly members?: number;
}

/** The event a sender gets when its frame was refused or could not be delivered. */
export interface ErrorEvent {
  readonly type: 'error';
  readonly code: ValidationErrorCode | 'rate_limited' | 'too_many_frames' | 'internal_error';
  readonly message: string;
  /** With `rate_limited` and `too_many_frames`: milliseconds until the sender may send again. */
  readonly retryAfterMs?: number;
  /** The refused frame's client id, when it had one. */
  readonly clientId?: string;
}

/** What the sender of a message with a client id gets once the room has accepted it. */
export interface AckEvent {
  readonly type: 'ack';
  readonly clientId: string;
  readonly id: string;
  readonly seq: number;
  readonly room: string;
}

/**
 * What the sender of a message with a client id gets when the message was accepted (it is in the
 * room's history) but some members could not be reached now and were given up on.
 */
export interface DeliveryIncompleteEvent {
  readonly type: 'delivery_incomplete';
  readonly clientId: string;
  readonly id: string;
  readonly seq: number;
  readonly room: string;
  /** Members the message did not reach. */
  readonly unreached: number;
}

/** A client's id of a message: what `crypto.randomUUID()` gives, or any short token like it. */
const CLIENT_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${contract.limits.clientIdMaxLength}}$`);

/** The action of the reference design's page: a chat message, like a frame without one. */
const CHAT_MESSAGE_ACTION = 'sendmessage';

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
  return 6 * (maxMessageLength + contract.limits.maxSenderNameLength) + 64 + FRAME_OVERHEAD_BYTES;
}

/** How a frame is read. */
export interface FrameRules {
  /**
   * The sender is signed in: its name is the verified one, so the frame's `senderName` is never
   * read (neither checked nor kept).
   */
  readonly verifiedSender?: boolean;
}

/**
 * Validates a client frame of the `$default` route.
 * @param body - the frame's text (the event's `body`)
 * @param maxMessageLength - the longest accepted message, in UTF-16 code units
 * @param rules - how the frame is read (a signed-in sender's name is not the frame's)
 * @returns the chat message, a ping, or the first thing wrong with the frame
 */
export function parseClientFrame(
  body: string | undefined,
  maxMessageLength: number,
  rules: FrameRules = {},
): ParsedFrame {
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
  const { action } = fields;
  if (action === 'ping') return { kind: 'ping' };
  if (action === 'history') return validateHistoryRequest(fields);
  // A chat message has no action, or the one the reference page sends; anything else is a
  // request this server does not know, and must never reach a room as a message.
  if (action !== undefined && action !== CHAT_MESSAGE_ACTION) {
    return invalid(
      'unknown_action',
      `"action" must be "ping", "history" or "${CHAT_MESSAGE_ACTION}" (or left out, for a chat message).`,
    );
  }
  const { clientId } = fields;
  if (
    clientId !== undefined &&
    (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId))
  ) {
    return invalid(
      'client_id_invalid',
      `"clientId" must be 1 to ${contract.limits.clientIdMaxLength} letters, digits, - or _.`,
    );
  }
  const chat = validateChatFields(fields, maxMessageLength, rules.verifiedSender === true);
  // Every later refusal names the message it refuses, so the sender knows which one failed.
  return clientId === undefined ? chat : { ...chat, clientId };
}

/**
 * Builds the event broadcast for a message: a fresh object with exactly the protocol's fields,
 * never the client's object spread through.
 * @param chatMessage - the validated message
 * @param sentAt - when the server accepted it
 * @param id - the message's server-assigned id
 * @param room - the sender's room
 * @param seq - the room's serial of the message
 * @param sender - the verified sender, in an auth mode: its id and name are the message's
 * @returns the event to serialise
 */
export function buildMessageEvent(
  chatMessage: ChatMessage,
  sentAt: Date,
  id: string,
  room: string,
  seq: number,
  sender?: { readonly id: string; readonly name: string },
): MessageEvent {
  return {
    type: 'message',
    id,
    seq,
    room,
    message: chatMessage.message,
    ...(sender !== undefined && { senderId: sender.id }),
    senderName: sender === undefined ? chatMessage.senderName : sender.name,
    senderGravatar: chatMessage.senderGravatar,
    sentAt: sentAt.toISOString(),
  };
}

/**
 * Builds the event that tells a sender what went wrong.
 * @param code - machine-readable reason
 * @param message - human-readable reason; never an internal error's text
 * @param extra - fields some codes add (`retryAfterMs` with `rate_limited`), and the refused
 *   frame's client id
 * @returns the event to serialise
 */
export function buildErrorEvent(
  code: ErrorEvent['code'],
  message: string,
  extra: Pick<ErrorEvent, 'retryAfterMs' | 'clientId'> = {},
): ErrorEvent {
  const { retryAfterMs, clientId } = extra;
  return {
    type: 'error',
    code,
    message,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(clientId !== undefined && { clientId }),
  };
}

/**
 * Builds the acknowledgement of an accepted message, the same for every retry of it.
 * @param accepted - the client's id, the server's id and serial, and the room
 * @returns the event to serialise
 */
export function buildAckEvent(accepted: Omit<AckEvent, 'type'>): AckEvent {
  const { clientId, id, seq, room } = accepted;
  return { type: 'ack', clientId, id, seq, room };
}

/**
 * Builds the report that an accepted message did not reach every member.
 * @param accepted - the client's id, the server's id and serial, and the room
 * @param unreached - members it did not reach
 * @returns the event to serialise
 */
export function buildDeliveryIncompleteEvent(
  accepted: Omit<AckEvent, 'type'>,
  unreached: number,
): DeliveryIncompleteEvent {
  const { clientId, id, seq, room } = accepted;
  return { type: 'delivery_incomplete', clientId, id, seq, room, unreached };
}

function validateChatFields(
  fields: Record<string, unknown>,
  maxMessageLength: number,
  verifiedSender: boolean,
): Extract<ParsedFrame, { kind: 'message' | 'invalid' }> {
  if (typeof fields.message !== 'string') {
    return invalid('message_required', '"message" must be a string.');
  }
  const message = normaliseText(fields.message, 'message');
  const messageProblem = messageTextProblem(message, maxMessageLength);
  if (messageProblem !== undefined) return { kind: 'invalid', ...messageProblem };
  const senderName = verifiedSender ? '' : (fields.senderName ?? '');
  if (typeof senderName !== 'string') {
    return invalid('sender_name_invalid', '"senderName" must be a string.');
  }
  const name = normaliseText(senderName, 'senderName');
  const nameProblem = senderNameTextProblem(name);
  if (nameProblem !== undefined) return { kind: 'invalid', ...nameProblem };
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
      senderName: name,
      senderGravatar: senderGravatar.toLowerCase(),
    },
    clientId: undefined,
  };
}

function isGravatarHash(value: string): boolean {
  return value === '' || /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/i.test(value);
}

function validateHistoryRequest(fields: Record<string, unknown>): ParsedFrame {
  const after = fields.after;
  const isSerial = typeof after === 'number' && Number.isSafeInteger(after) && after >= 0;
  const isMessageId = typeof after === 'string' && MESSAGE_ID_PATTERN.test(after);
  if (after !== undefined && !isSerial && !isMessageId) {
    return invalid(
      'history_after_invalid',
      '"after" must be a serial (a whole number, 0 or more) or the id of a message.',
    );
  }
  return { kind: 'history', after: after as HistoryStart };
}

function invalid(
  code: ValidationErrorCode,
  reason: string,
): Extract<ParsedFrame, { kind: 'invalid' }> {
  return { kind: 'invalid', code, reason };
}
