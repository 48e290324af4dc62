/**
 * The chat's wire format as the page sees it: what it sends and how it reads what arrives.
 * Everything here is pure so it can be unit-tested without a browser.
 */

/** A chat message another member sent (the backend never echoes our own back). */
export interface ChatMessageEvent {
  readonly type: 'message';
  readonly message: string;
  readonly senderName: string;
  /** 32 or 64 lower-case hex digits, or `undefined` when the sender gave no Gravatar email. */
  readonly senderGravatar: string | undefined;
  /** When the server accepted it; the receive time when the server sent none we can read. */
  readonly sentAt: Date;
}

/** Something the server refused, or an API Gateway error frame. */
export interface ServerErrorEvent {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Every server frame the page acts on. */
export type ServerEvent = ChatMessageEvent | ServerErrorEvent;

/** The shape of a message we send; optional fields are omitted rather than sent empty. */
export interface ChatFrame {
  readonly message: string;
  readonly senderName?: string;
  readonly senderGravatar?: string;
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

  if (event.type === 'message' && typeof event.message === 'string') {
    const name = typeof event.senderName === 'string' ? event.senderName.trim() : '';
    return {
      type: 'message',
      message: event.message,
      senderName: name === '' ? anonymousName : name,
      senderGravatar: isGravatarHash(event.senderGravatar) ? event.senderGravatar : undefined,
      sentAt: readTimestamp(event.sentAt) ?? receivedAt,
    };
  }
  if (event.type === 'error') {
    return {
      type: 'error',
      code: typeof event.code === 'string' ? event.code : 'error',
      message:
        typeof event.message === 'string' ? event.message : 'The server refused the request.',
    };
  }
  if (event.type === undefined && typeof event.message === 'string' && 'requestId' in event) {
    return { type: 'error', code: 'gateway', message: event.message };
  }
  return undefined;
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
  | { readonly ok: false; readonly reason: 'empty' }
  | { readonly ok: false; readonly reason: 'too-long'; readonly excess: number };

/**
 * Checks a draft the way the backend will: trimmed, not empty, at most `maxLength` UTF-16 code
 * units (what JavaScript's `length` counts on both sides).
 */
export function checkDraft(draft: string, maxLength: number): DraftCheck {
  const text = draft.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.length > maxLength)
    return { ok: false, reason: 'too-long', excess: text.length - maxLength };
  return { ok: true, text };
}

/** Builds the frame for one message, leaving out a blank name and an absent avatar hash. */
export function buildChatFrame(text: string, senderName: string, senderGravatar?: string): string {
  const frame: { message: string; senderName?: string; senderGravatar?: string } = {
    message: text,
  };
  const name = senderName.trim();
  if (name !== '') frame.senderName = name;
  if (senderGravatar !== undefined) frame.senderGravatar = senderGravatar;
  return JSON.stringify(frame satisfies ChatFrame);
}
