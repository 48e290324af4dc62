/**
 * DOM builders for the message list. Everything that came from the network or the user goes into
 * the page through `textContent` and attributes the page chose, never through HTML parsing, so a
 * message such as `<img src=x onerror=…>` is shown as the text it is.
 */
import { avatarBackground, hueOf, initialsOf } from './avatar.ts';
import { failedNote, sendingNote, sentReceipt } from './delivery.ts';
import { gravatarUrl } from './gravatar.ts';
import { tokenizeLinks } from './links.ts';

/** One chat line as the view needs it. */
export interface MessageView {
  readonly own: boolean;
  readonly senderName: string;
  readonly senderGravatar: string | undefined;
  readonly text: string;
  readonly sentAt: Date;
  /** The server's id, for messages that came with one. */
  readonly messageId?: string;
  /** The room's serial, for messages that came with one (protocol 3). */
  readonly seq?: number;
}

/** Where one of our messages stands, as its line shows it. */
export type DeliveryView =
  | { readonly kind: 'sending'; readonly connected: boolean }
  | { readonly kind: 'sent' }
  /** `code`: why (see `failedNote`); `retry` sends it again. */
  | { readonly kind: 'failed'; readonly code: string; readonly retry: () => void };

/** The id of the hidden "opens in a new tab" note that every link in a message points to. */
export const newTabHintId = 'new-tab-hint';

const avatarSizePx = 40;

/** Creates an element with a class and, optionally, text. */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * An avatar: initials on a colour derived from the name, covered by the Gravatar image once (and
 * only if) it loads. The image is decorative (`alt=""`) because the name is always shown beside it.
 */
export function createAvatar(name: string, gravatar: string | undefined): HTMLElement {
  const avatar = element('span', 'avatar', initialsOf(name));
  avatar.setAttribute('aria-hidden', 'true');
  // CSSOM property writes are allowed under `style-src 'self'`; only inline style markup is not.
  avatar.style.backgroundColor = avatarBackground(hueOf(name));
  if (gravatar !== undefined) {
    const image = element('img', 'avatar-image');
    image.alt = '';
    image.width = avatarSizePx;
    image.height = avatarSizePx;
    image.decoding = 'async';
    image.referrerPolicy = 'no-referrer';
    image.addEventListener('error', () => image.remove(), { once: true });
    image.src = gravatarUrl(gravatar, avatarSizePx * 2);
    avatar.append(image);
  }
  return avatar;
}

/** Local time as hours and minutes, with the full date in `datetime` and the tooltip. */
function createTime(date: Date): HTMLTimeElement {
  const time = element(
    'time',
    'time',
    date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
  );
  time.dateTime = date.toISOString();
  time.title = date.toLocaleString();
  return time;
}

/** The list item of one chat message, own or someone else's. */
export function createMessageItem(view: MessageView): HTMLLIElement {
  const item = element('li', view.own ? 'message own' : 'message');
  const bubble = element('div', 'bubble');
  const meta = element('p', 'meta');
  const name = element('span', 'sender', view.own ? `${view.senderName} (you)` : view.senderName);
  meta.append(name, createTime(view.sentAt));
  bubble.append(meta, createMessageText(view.text));
  if (view.messageId !== undefined) item.dataset.messageId = view.messageId;
  if (view.seq !== undefined) item.dataset.seq = String(view.seq);
  item.append(createAvatar(view.senderName, view.senderGravatar), bubble);
  return item;
}

/**
 * Shows where one of our messages stands, in words: "Sending…" (or "Waiting for the
 * connection…") under the text while it is on its way, "Sent" beside the time once the room
 * accepted it, and why it failed, with a Retry button, when it did.
 */
export function showDelivery(item: HTMLElement, view: DeliveryView): void {
  item.dataset.delivery = view.kind;
  item.querySelector('.delivery')?.remove();
  item.querySelector('.receipt')?.remove();
  if (view.kind === 'sent') {
    item.querySelector('.meta')?.append(element('span', 'receipt', sentReceipt));
    return;
  }
  const note = element('p', `delivery ${view.kind}`);
  if (view.kind === 'sending') {
    note.textContent = sendingNote(view.connected);
  } else {
    const retry = element('button', 'retry', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', view.retry, { once: true });
    note.append(element('span', 'delivery-text', failedNote(view.code)), retry);
  }
  item.querySelector('.text')?.after(note);
}

/** Adds a note under one of our messages (e.g. that it reached only part of the room). */
export function addDeliveryNote(item: HTMLElement, text: string): void {
  item.querySelector('.bubble')?.append(element('p', 'delivery-note', text));
}

/** Gives a line the room's serial and the server's id of its message, once they are known. */
export function setMessageOrder(item: HTMLElement, order: { id: string; seq: number }): void {
  item.dataset.messageId = order.id;
  item.dataset.seq = String(order.seq);
}

/**
 * A message's text: exactly the text that was sent, as text nodes, with its `http(s)` links made
 * into anchors that open in a new tab and give the site neither this page (`noopener`) nor its
 * address (`noreferrer`). Nothing is parsed as HTML.
 */
function createMessageText(text: string): HTMLParagraphElement {
  const paragraph = element('p', 'text');
  for (const part of tokenizeLinks(text)) {
    if (part.kind === 'text') {
      paragraph.append(document.createTextNode(part.text));
      continue;
    }
    const link = element('a', 'link', part.text);
    link.href = part.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.setAttribute('aria-describedby', newTabHintId);
    paragraph.append(link);
  }
  return paragraph;
}

/** The tone of a system line: neutral news, or something that went wrong. */
export type SystemTone = 'info' | 'error';

/** A line about the chat itself rather than from a member: connection changes, server errors. */
export function createSystemItem(
  text: string,
  tone: SystemTone,
  at: Date = new Date(),
): HTMLLIElement {
  const item = element('li', `system ${tone}`);
  item.append(element('span', 'system-text', text), createTime(at));
  return item;
}
