import type { ChatConnection } from './connection.ts';
import { incompleteNote } from './delivery.ts';
import { OwnMessages, SeenMessageIds } from './history.ts';
import type { MessageList } from './message-list.ts';
import { type DeliveryState, refusalPasses } from './outbox.ts';
import {
  type AckEvent,
  buildHistoryRequest,
  type ChatMessageEvent,
  type DeliveryIncompleteEvent,
  describeServerError,
  historyUnsupportedCode,
  parseServerEvent,
  type ServerErrorEvent,
} from './protocol.ts';
import { addDeliveryNote, createMessageItem, type MessageView, showDelivery } from './view.ts';

/** What a room session tells the page around the message list. */
export interface RoomSessionListener {
  /** A message from someone else is now on screen (for the unread count). */
  messageArrived(): void;
  /** The server's count of the people in the room. */
  presenceChanged(count: number): void;
}

/** What a session needs of the connection: our messages' outcomes. */
export type SessionLink = Pick<
  ChatConnection,
  'acknowledged' | 'refused' | 'answerLost' | 'serverAcknowledges' | 'retry'
>;

/** One of our messages as the user wrote it, for its line. */
export type OwnMessageView = Omit<MessageView, 'own' | 'messageId'>;

/**
 * The conversation in one room, from the first open to the switch to another room: it asks for
 * history on every open, reads the server's frames and puts each message on screen once, in its
 * place, and shows where each of our messages stands. A new room gets a new session, so nothing
 * seen in one room affects another.
 */
export class RoomSession {
  readonly room: string;
  readonly #messages: MessageList;
  readonly #listener: RoomSessionListener;
  readonly #link: SessionLink;
  readonly #seen = new SeenMessageIds();
  readonly #own = new OwnMessages();
  /** The lines of our messages, by client id. */
  readonly #ownLines = new Map<string, HTMLLIElement>();
  #hasBeenConnected = false;
  #connected = false;
  /** The line that announced the latest open; history from that open is slotted in around it. */
  #anchor: HTMLLIElement | undefined;
  /** Whether the latest history request asked only for what was missed (so it is news). */
  #catchingUp = false;

  constructor(
    room: string,
    messages: MessageList,
    listener: RoomSessionListener,
    link: SessionLink,
  ) {
    this.room = room;
    this.#messages = messages;
    this.#listener = listener;
    this.#link = link;
  }

  /**
   * The history request for the open that is starting: everything on the first, only what came
   * after the newest message on screen on a reconnect.
   */
  historyRequest(): string {
    const after = this.#seen.newest;
    this.#catchingUp = after !== undefined;
    return buildHistoryRequest(after);
  }

  /** The connection opened: says so in the conversation, where history will be slotted in. */
  opened(): void {
    this.#anchor = this.#messages.appendSystem(
      this.#hasBeenConnected ? 'Reconnected.' : `Connected to #${this.room}. Say hello!`,
    );
    this.#hasBeenConnected = true;
    this.#setConnected(true);
  }

  /** The connection is not open (lost, waiting, or closed by the user). */
  closed(): void {
    this.#setConnected(false);
  }

  /** Shows a message the user just wrote as ours, on its way; the outbox then reports on it. */
  showOwn(clientId: string, view: OwnMessageView): void {
    const item = createMessageItem({ ...view, own: true });
    showDelivery(item, { kind: 'sending', connected: this.#connected });
    this.#ownLines.set(clientId, item);
    this.#own.sent({
      message: view.text,
      senderName: view.senderName,
      senderGravatar: view.senderGravatar,
    });
    this.#messages.append(item, true);
  }

  /** The outbox's news about one of our messages. */
  deliveryChanged(clientId: string, state: DeliveryState): void {
    const item = this.#ownLines.get(clientId);
    if (item === undefined) return;
    switch (state.kind) {
      case 'sending':
        // Sent again after it failed: it takes its place among the newest.
        if (item.dataset.delivery === 'failed') this.#messages.moveToEnd(item);
        showDelivery(item, { kind: 'sending', connected: this.#connected });
        return;
      case 'sent':
        showDelivery(item, { kind: 'sent' });
        return;
      case 'failed':
        showDelivery(item, {
          kind: 'failed',
          code: state.code,
          retry: () => this.#link.retry(clientId),
        });
        return;
    }
  }

  /** A text frame from the server. */
  receive(data: string): void {
    const event = parseServerEvent(data);
    switch (event?.type) {
      case 'message':
        // Delivery is at least once: a repeated id is a message already on screen.
        if (this.#isElsewhere(event.room)) return;
        // Large rooms send no presence frames on joins and leaves; every message brings the count.
        if (event.members !== undefined) this.#listener.presenceChanged(event.members);
        if (event.id !== undefined && !this.#seen.add(event.id)) return;
        this.#messages.append(messageItem(event));
        this.#listener.messageArrived();
        return;
      case 'history':
        if (this.#isElsewhere(event.room)) return;
        // A server that says where the room stands (protocol 3) acknowledges our messages.
        this.#link.serverAcknowledges(event.head !== undefined);
        for (const message of event.messages) this.#showEarlier(message);
        return;
      case 'presence':
        if (!this.#isElsewhere(event.room)) this.#listener.presenceChanged(event.count);
        return;
      case 'ack':
        if (!this.#isElsewhere(event.room)) this.#settle(event);
        return;
      case 'delivery_incomplete':
        if (this.#isElsewhere(event.room)) return;
        // Accepted (it is in the room's history), as its ack said or would have said.
        this.#settle(event);
        this.#noteIncomplete(event);
        return;
      case 'error':
        this.#showError(event);
        return;
      default:
        return;
    }
  }

  #showEarlier(message: ChatMessageEvent): void {
    if (this.#isElsewhere(message.room)) return;
    const id = message.id ?? '';
    if (id !== '' && !this.#seen.add(id)) return;
    // Our own messages come back only here; they are on screen already, as ours.
    if (this.#own.claim(message)) return;
    if (this.#anchor === undefined) this.#messages.append(messageItem(message));
    else this.#messages.insertEarlier(messageItem(message), id, this.#anchor);
    if (this.#catchingUp) this.#listener.messageArrived();
  }

  /** One of our messages was accepted: the outbox sends the next. */
  #settle(receipt: AckEvent | DeliveryIncompleteEvent): void {
    const item = this.#ownLines.get(receipt.clientId);
    // Its id, so a history frame's copy of it is not shown as someone else's.
    if (item !== undefined && item.dataset.messageId === undefined) {
      item.dataset.messageId = receipt.id;
      this.#seen.add(receipt.id);
    }
    this.#link.acknowledged(receipt.clientId);
  }

  #noteIncomplete(report: DeliveryIncompleteEvent): void {
    const item = this.#ownLines.get(report.clientId);
    if (item !== undefined && item.querySelector('.delivery-note') === null) {
      addDeliveryNote(item, incompleteNote(report.unreached));
    }
  }

  #showError(event: ServerErrorEvent): void {
    if (event.clientId !== undefined) {
      // One of ours was refused. A refusal that passes is retried without a word; any other is
      // explained here, and its line says it failed.
      if (!refusalPasses(event.code)) {
        this.#messages.appendSystem(describeServerError(event), 'error');
      }
      this.#link.refused(event.clientId, {
        code: event.code,
        ...(event.retryAfterMs === undefined ? {} : { retryAfterMs: event.retryAfterMs }),
      });
      return;
    }
    // A server without history answers the history request so; it has nothing to show, and
    // acknowledges nothing either.
    if (event.code === historyUnsupportedCode) {
      this.#link.serverAcknowledges(false);
      return;
    }
    // API Gateway's error frame (the function failed) may answer our message awaiting its
    // answer, which then goes again, silently.
    if (event.code === 'gateway' && this.#link.answerLost()) return;
    this.#messages.appendSystem(describeServerError(event), 'error');
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const item of this.#ownLines.values()) {
      if (item.dataset.delivery === 'sending') showDelivery(item, { kind: 'sending', connected });
    }
  }

  /** Whether an event names another room than this one (a server without rooms names none). */
  #isElsewhere(room: string | undefined): boolean {
    return room !== undefined && room !== this.room;
  }
}

function messageItem(event: ChatMessageEvent): HTMLLIElement {
  return createMessageItem({
    own: false,
    senderName: event.senderName,
    senderGravatar: event.senderGravatar,
    text: event.message,
    sentAt: event.sentAt,
    ...(event.id === undefined ? {} : { messageId: event.id }),
  });
}
