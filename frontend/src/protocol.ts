/**
 * The chat's wire format as the page sees it: what it sends and how it reads what arrives.
 * Everything here is pure so it can be unit-tested without a browser.
 */
import contract from '../../contract/contract.json' with { type: 'json' };
import {
  findForbiddenCharacter,
  messageTextProblem,
  normaliseText,
} from '../../contract/text-rules.ts';
import { describeForbiddenCharacter } from './text-rules.ts';

/**
 * The protocol this page speaks, sent as `v` on the WebSocket URL: from 3 on the server numbers
 * the room's messages, acknowledges each message that has a client id, and reports presence.
 */
export const pageProtocolVersion: number = contract.protocolVersion;

/** A chat message another member sent (the backend never echoes our own back). */
export interface ChatMessageEvent {
  readonly type: 'message';
  /**
   * The server's id (a ULID: unique, and sorting by it sorts by time). The same message may
   * arrive twice, live and in a history frame or from a retried delivery, and the id is how the
   * page tells. `undefined` from a server that assigns none.
   */
  readonly id: string | undefined;
  /**
   * The room's serial of the message (protocol 3): 1, 2, 3… in the order the room accepted its
   * messages, so the page shows them in that order and notices one it missed. `undefined` from a
   * server of an older protocol.
   */
  readonly seq: number | undefined;
  /** The room it was said in; `undefined` from a server without rooms. */
  readonly room: string | undefined;
  readonly message: string;
  readonly senderName: string;
  /**
   * With sign-in, the sender's stable id (the same on all their connections, and the name beside
   * it verified); `undefined` in the open chat, where anyone may type any name.
   */
  readonly senderId?: string;
  /** 32 or 64 lower-case hex digits, or `undefined` when the sender gave no Gravatar email. */
  readonly senderGravatar: string | undefined;
  /** When the server accepted it; the receive time when the server sent none we can read. */
  readonly sentAt: Date;
  /** The room's head count when it was sent (live messages only; never in history). */
  readonly members?: number;
}

/** Something the server refused, or an API Gateway error frame. */
export interface ServerErrorEvent {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  /**
   * With `rate_limited`: how long to wait before the next message is accepted; with
   * `too_many_frames`: before the server takes a new connection.
   */
  readonly retryAfterMs?: number;
  /** The client id of the message refused, when the refused frame had one (protocol 3). */
  readonly clientId?: string;
}

/** The room accepted one of our messages (protocol 3): its server id and serial. */
export interface AckEvent {
  readonly type: 'ack';
  readonly clientId: string;
  readonly id: string;
  readonly seq: number;
  readonly room: string | undefined;
}

/**
 * One of our messages was accepted (it is in the room's history) but `unreached` members could
 * not be reached now and were given up on (protocol 3). Never a reason to send it again.
 */
export interface DeliveryIncompleteEvent {
  readonly type: 'delivery_incomplete';
  readonly clientId: string;
  readonly id: string;
  readonly seq: number;
  readonly room: string | undefined;
  readonly unreached: number;
}

/** Part of a room's recent messages, oldest first; a long history comes in several parts. */
export interface HistoryEvent {
  readonly type: 'history';
  readonly room: string | undefined;
  readonly messages: readonly ChatMessageEvent[];
  /** Which part this is, from 1, and of how many; absent from a server that sends one part. */
  readonly part?: number;
  readonly parts?: number;
  /**
   * The room's serial when the history was read (protocol 3). The reply covers every serial after
   * the request's `after` up to `head`: one of them that is not in `messages` was never committed
   * or has expired, and counts as seen.
   */
  readonly head?: number;
  /** The smallest serial the room still keeps (protocol 3); `head + 1` when it keeps none. */
  readonly oldest?: number;
}

/** How many people are in the room. */
export interface PresenceEvent {
  readonly type: 'presence';
  readonly room: string | undefined;
  readonly count: number;
}

/** Every server frame the page acts on. */
export type ServerEvent =
  | ChatMessageEvent
  | ServerErrorEvent
  | HistoryEvent
  | PresenceEvent
  | AckEvent
  | DeliveryIncompleteEvent;

/** The shape of a message we send; optional fields are omitted rather than sent empty. */
export interface ChatFrame {
  readonly message: string;
  readonly senderName?: string;
  readonly senderGravatar?: string;
  /** Our own id of the message: sending it again with the same id never makes a second copy. */
  readonly clientId?: string;
}

/** The keep-alive frame: a data frame, because API Gateway's idle timer ignores WebSocket pings. */
export const keepAliveFrame = JSON.stringify({ action: 'ping' });

const gravatarHashPattern = /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/;

/** Whether `value` is a hash we are willing to put into a Gravatar URL. */
export function isGravatarHash(value: unknown): value is string {
  return typeof value === 'string' && gravatarHashPattern.test(value);
}

/** Shown for members who left the name field empty. */
export const anonymousName = 'Anonymous';

/**
 * Reads one text frame from the server. Returns `undefined` for anything the page has no use for
 * (unknown types, malformed JSON), so a newer or noisier server never breaks the page.
 *
 * Besides the backend's own `{"type":"error"}` events it recognises API Gateway's error frames
 * (`{"message":"Forbidden","connectionId":…,"requestId":…}`), which carry no `type`.
 */
export function parseServerEvent(
  data: unknown,
  receivedAt: Date = new Date(),
): ServerEvent | undefined {
  if (typeof data !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const event = parsed as Record<string, unknown>;

  if (event.type === 'message') return readMessageEvent(event, receivedAt);
  if (event.type === 'history' && Array.isArray(event.messages)) {
    const messages: ChatMessageEvent[] = [];
    for (const item of event.messages) {
      const message = isRecord(item) ? readMessageEvent(item, receivedAt) : undefined;
      if (message !== undefined) messages.push(message);
    }
    const { part, parts, head, oldest } = event;
    return {
      type: 'history',
      room: readRoom(event.room),
      messages,
      ...(isSerial(part) && isSerial(parts) && part <= parts && { part, parts }),
      ...(isCount(head) && { head }),
      ...(isCount(oldest) && { oldest }),
    };
  }
  if (event.type === 'ack' || event.type === 'delivery_incomplete') {
    return readReceipt(event);
  }
  if (event.type === 'presence' && isCount(event.count)) {
    return { type: 'presence', room: readRoom(event.room), count: event.count };
  }
  if (event.type === 'error') {
    const error: ServerErrorEvent = {
      type: 'error',
      code: typeof event.code === 'string' ? event.code : 'error',
      message:
        typeof event.message === 'string' ? event.message : 'The server refused the request.',
    };
    const { retryAfterMs, clientId } = event;
    return {
      ...error,
      ...(typeof retryAfterMs === 'number' &&
        Number.isFinite(retryAfterMs) &&
        retryAfterMs >= 0 && { retryAfterMs }),
      ...(isClientId(clientId) && { clientId }),
    };
  }
  if (event.type === undefined && typeof event.message === 'string' && 'requestId' in event) {
    return { type: 'error', code: 'gateway', message: event.message };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An ack or a delivery report; `undefined` when it does not name a message of ours exactly. */
function readReceipt(
  event: Record<string, unknown>,
): AckEvent | DeliveryIncompleteEvent | undefined {
  const { clientId, id, seq } = event;
  if (!isClientId(clientId) || !isMessageId(id) || !isSerial(seq)) return undefined;
  const receipt = { clientId, id, seq, room: readRoom(event.room) };
  if (event.type === 'ack') return { type: 'ack', ...receipt };
  return isCount(event.unreached)
    ? { type: 'delivery_incomplete', ...receipt, unreached: event.unreached }
    : undefined;
}

/** A message event, live or inside a history frame; `undefined` when it has no text. */
function readMessageEvent(
  event: Record<string, unknown>,
  receivedAt: Date,
): ChatMessageEvent | undefined {
  if (typeof event.message !== 'string') return undefined;
  const name = typeof event.senderName === 'string' ? event.senderName.trim() : '';
  return {
    type: 'message',
    id: isMessageId(event.id) ? event.id : undefined,
    seq: isSerial(event.seq) ? event.seq : undefined,
    room: readRoom(event.room),
    message: event.message,
    senderName: name === '' ? anonymousName : name,
    ...(isSenderId(event.senderId) && { senderId: event.senderId }),
    senderGravatar: isGravatarHash(event.senderGravatar) ? event.senderGravatar : undefined,
    sentAt: readTimestamp(event.sentAt) ?? receivedAt,
    ...(isCount(event.members) && { members: event.members }),
  };
}

/** Whether a value is a head count: a whole number, not negative. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Whether a value is a room serial: a whole number from 1. */
function isSerial(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/**
 * What the page accepts as a message id: the server sends ULIDs, but any short printable token
 * serves to tell duplicates apart, so a server that changes its id format does not lose dedup.
 */
function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value);
}

/** A sender id: the server sends 16 base64url characters; any 1 to 64 of them tell people apart. */
function isSenderId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/** A client id as the server accepts it: 1 to 64 letters, digits, `-` or `_`. */
function isClientId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

function readRoom(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** Accepts an ISO string or epoch milliseconds, because either is a reasonable `sentAt`. */
function readTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Why a draft cannot be sent, or `ok` with the text that will be. */
export type DraftCheck =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'empty' | 'invisible' }
  | { readonly ok: false; readonly reason: 'invalid-character'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'too-long'; readonly excess: number };

/**
 * Checks a draft with the backend's own rules (line breaks unified, NFC, trimmed; not empty; at
 * most `maxLength` UTF-16 code units; no control character other than line feed and tab, no
 * bidirectional override or isolate; at least one visible character). The text it returns is the
 * normalised one, so what the sender sees is what others get.
 */
export function checkDraft(draft: string, maxLength: number): DraftCheck {
  const text = normaliseText(draft, 'message');
  switch (messageTextProblem(text, maxLength)?.code) {
    case undefined:
      return { ok: true, text };
    case 'message_empty':
      return { ok: false, reason: 'empty' };
    case 'message_too_long':
      return { ok: false, reason: 'too-long', excess: text.length - maxLength };
    case 'message_invalid_characters': {
      const found = findForbiddenCharacter(text, 'message');
      // Found whenever the rules refuse a character: both read the same patterns.
      const detail = found === undefined ? '' : describeForbiddenCharacter(found);
      return { ok: false, reason: 'invalid-character', detail };
    }
    case 'message_invisible':
      return { ok: false, reason: 'invisible' };
  }
}

/**
 * The request for the room's recent messages: after every open, and for a gap in the serials.
 * `after` asks only for what came later, i.e. what was missed: a serial (protocol 3: the highest
 * up to which the page holds every message), or the newest message id shown (protocol 2).
 */
export function buildHistoryRequest(after?: number | string): string {
  return JSON.stringify(after === undefined ? { action: 'history' } : { action: 'history', after });
}

/**
 * The error code a server without history answers `{"action":"history"}` with: it reads every
 * frame as a chat message, and that one has no `message`. The page itself never sends a chat
 * frame without one, so this code can only be the answer to a history request.
 */
export const historyUnsupportedCode = 'message_required';

/** What the page says about an error event: what went wrong, and what to do about it. */
export function describeServerError(event: ServerErrorEvent): string {
  const refused = 'The server refused a message';
  switch (event.code) {
    case 'rate_limited': {
      const seconds = Math.max(1, Math.ceil((event.retryAfterMs ?? 1000) / 1000));
      return `${refused}: you are sending too fast. Wait ${seconds} s, then send it again.`;
    }
    case 'message_invisible':
      return `${refused}: it has no visible characters.`;
    case 'message_invalid_characters':
      return `${refused}: it contains a control character or a text-direction control. Remove it and send again.`;
    case 'sender_name_invalid_characters':
      return `${refused}: your name contains a control character or a text-direction control. Change your name and send again.`;
    case 'sender_name_invisible':
      return `${refused}: your name has no visible characters. Change your name and send again.`;
    case 'unknown_action':
      return 'The server did not understand a request from this page. Reload the page to get its current version.';
    case 'too_many_frames': {
      const seconds = Math.max(1, Math.ceil((event.retryAfterMs ?? 1000) / 1000));
      return `Far too much sent too fast: the server closed the connection. The page reconnects in ${seconds} s and sends what is still waiting.`;
    }
    default:
      return `${refused}: ${event.message}`;
  }
}

/**
 * Builds the frame for one message, leaving out a blank name and an absent avatar hash.
 *
 * @param clientId - the message's own id, the same in every attempt to send it
 */
export function buildChatFrame(
  text: string,
  senderName: string,
  senderGravatar?: string,
  clientId?: string,
): string {
  const frame: { -readonly [K in keyof ChatFrame]: ChatFrame[K] } = { message: text };
  const name = normaliseText(senderName, 'senderName');
  if (name !== '') frame.senderName = name;
  if (senderGravatar !== undefined) frame.senderGravatar = senderGravatar;
  if (clientId !== undefined) frame.clientId = clientId;
  return JSON.stringify(frame);
}
