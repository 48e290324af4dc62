import { CatchUp } from './catch-up.ts';
import type { ChatConnection } from './connection.ts';
import { incompleteNote, lostMessagesNote } from './delivery.ts';
import { type LineOrder, OwnMessages, ShownMessages } from './history.ts';
import type { MessageList } from './message-list.ts';
import { type DeliveryState, refusalPasses } from './outbox.ts';
import {
  type AckEvent,
  type ChatMessageEvent,
  type DeliveryIncompleteEvent,
  describeServerError,
  type HistoryEvent,
  historyUnsupportedCode,
  parseServerEvent,
  type ServerErrorEvent,
} from './protocol.ts';
import type { Timers } from './timers.ts';
import {
  addDeliveryNote,
  createMessageItem,
  createSystemItem,
  type MessageView,
  setMessageOrder,
  showDelivery,
} from './view.ts';

/** What a room session tells the page around the message list. */
export interface RoomSessionListener {
  /** A message from someone else is now on screen (for the unread count). */
  messageArrived(): void;
  /** The server's count of the people in the room. */
  presenceChanged(count: number): void;
}

/** What a session needs of the connection: history requests, and our messages' outcomes. */
export type SessionLink = Pick<
  ChatConnection,
  | 'request'
  | 'acknowledged'
  | 'refused'
  | 'answerLost'
  | 'serverAcknowledges'
  | 'retry'
  | 'holdReconnect'
>;

/** One of our messages as the user wrote it, for its line. */
export type OwnMessageView = Omit<MessageView, 'own' | 'messageId' | 'seq'>;

/**
 * The conversation in one room, from the first open to the switch to another room: it asks for
 * what it missed on every open, reads the server's frames and puts each message on screen once,
 * in the room's order, and shows where each of our messages stands. A new room gets a new
 * session, so nothing seen in one room affects another.
 */
export class RoomSession {
  readonly room: string;
  readonly #messages: MessageList;
  readonly #listener: RoomSessionListener;
  readonly #link: SessionLink;
  readonly #ownSenderId: () => string | undefined;
  readonly #catchUp: CatchUp;
  readonly #shown = new ShownMessages();
  /** Our messages without serials (older servers), to recognise them in history. */
  readonly #ownByContent = new OwnMessages();
  /** The lines of our messages, by client id. */
  readonly #ownLines = new Map<string, HTMLLIElement>();
  #hasBeenConnected = false;
  #connected = false;
  /** Whether the server numbers the room's messages (protocol 3): it said so in a frame. */
  #serverNumbers = false;
  /** The line that announced the latest open; history from that open is slotted in around it. */
  #anchor: HTMLLIElement | undefined;

  /**
   * @param ownSenderId - with sign-in, the signed-in person's sender id: their messages from
   *   other tabs and earlier visits are shown as theirs
   */
  constructor(
    room: string,
    messages: MessageList,
    listener: RoomSessionListener,
    link: SessionLink,
    timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>,
    ownSenderId: () => string | undefined = () => undefined,
  ) {
    this.room = room;
    this.#messages = messages;
    this.#listener = listener;
    this.#link = link;
    this.#ownSenderId = ownSenderId;
    this.#catchUp = new CatchUp({ request: (frame) => link.request(frame), timers });
  }

  /**
   * The history request for the open that is starting: everything on the first, only what came
   * after the contiguous serial (or, from a server without serials, the newest id) on a reconnect.
   */
  historyRequest(): string {
    return this.#catchUp.openingRequest(this.#shown.newestId);
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
    this.#catchUp.connectionLost();
    this.#setConnected(false);
  }

  /** Shows a message the user just wrote as ours, on its way; the outbox then reports on it. */
  showOwn(clientId: string, view: OwnMessageView): void {
    const item = createMessageItem({ ...view, own: true });
    showDelivery(item, { kind: 'sending', connected: this.#connected });
    this.#ownLines.set(clientId, item);
    this.#ownByContent.sent({
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
        this.#showLive(event);
        return;
      case 'history':
        this.#showHistory(event);
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

  #showLive(event: ChatMessageEvent): void {
    if (this.#isElsewhere(event.room)) return;
    // Large rooms send no presence frames on joins and leaves; every message brings the count.
    if (event.members !== undefined) this.#listener.presenceChanged(event.members);
    // Delivery is at least once: a repeated serial or id is a message already on screen.
    if (!this.#shown.add(event)) return;
    const own = this.#isOwn(event);
    if (event.seq === undefined) {
      // A server without serials: shown as it comes, as ever.
      this.#messages.append(messageItem(event, own));
    } else {
      this.#serverNumbers = true;
      this.#messages.placeLive(messageItem(event, own), orderOf(event));
      this.#catchUp.received(event.seq, true);
    }
    // Written in another of our tabs: news to nobody.
    if (!own) this.#listener.messageArrived();
  }

  #showHistory(event: HistoryEvent): void {
    if (this.#isElsewhere(event.room)) return;
    // A server that numbers its messages (it says where the room stands) acknowledges ours.
    if (event.head !== undefined) this.#serverNumbers = true;
    this.#link.serverAcknowledges(event.head !== undefined);
    const news = this.#catchUp.catchingUp;
    for (const message of event.messages) {
      if (this.#showEarlier(message) && news && !this.#isOwn(message)) {
        this.#listener.messageArrived();
      }
    }
    const { lost } = this.#catchUp.historyReceived(event);
    if (lost > 0 && event.oldest !== undefined) {
      // Where the lost messages would be: just above the oldest one the room still keeps.
      const note = createSystemItem(lostMessagesNote(lost), 'info');
      this.#messages.placeEarlier(note, { seq: event.oldest - 0.5 }, this.#anchor);
    }
  }

  /** Shows a message from a history frame; returns whether it is new on screen. */
  #showEarlier(message: ChatMessageEvent): boolean {
    if (this.#isElsewhere(message.room)) return false;
    if (!this.#shown.add(message)) return false;
    // From a server without serials our own messages come back only here, and are on screen
    // already as ours; with serials, their acks tell (see `#settle`).
    if (message.seq === undefined && this.#ownByContent.claim(message)) return false;
    this.#messages.placeEarlier(
      messageItem(message, this.#isOwn(message)),
      orderOf(message),
      this.#anchor,
    );
    if (message.seq !== undefined) this.#catchUp.received(message.seq, false);
    return true;
  }

  /**
   * One of our messages was accepted: its line gets the serial and id and takes its place, a copy
   * shown from a history reply before the ack came is removed, and the outbox sends the next.
   */
  #settle(receipt: AckEvent | DeliveryIncompleteEvent): void {
    this.#serverNumbers = true;
    const item = this.#ownLines.get(receipt.clientId);
    if (item !== undefined && item.dataset.seq === undefined) {
      setMessageOrder(item, receipt);
      if (!this.#shown.add(receipt)) this.#messages.removeCopies(orderOf(receipt), item);
      this.#messages.keepInOrder(item);
      // Our own message counts as held: without it every message of ours would open a gap.
      this.#catchUp.received(receipt.seq, true);
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
    if (event.code === 'too_many_frames') {
      // The server closes the connection right after this, and refuses new ones for a while.
      this.#link.holdReconnect(event.retryAfterMs ?? 0);
      this.#messages.appendSystem(describeServerError(event), 'error');
      return;
    }
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
      this.#catchUp.historyUnsupported();
      this.#link.serverAcknowledges(false);
      return;
    }
    if (this.#accountedFor(event)) return;
    this.#messages.appendSystem(describeServerError(event), 'error');
  }

  /**
   * Whether an error that names no message is taken care of: from a server that numbers its
   * messages, such an error answers the history request (our messages carry client ids), which
   * goes again; API Gateway's error frame (the function failed) may answer our message awaiting
   * its answer too, which then goes again. Either retry is silent.
   */
  #accountedFor(event: ServerErrorEvent): boolean {
    const gateway = event.code === 'gateway';
    if (!gateway && !(this.#serverNumbers && refusalPasses(event.code))) return false;
    const messageAgain = gateway && this.#link.answerLost();
    const requestAgain = this.#serverNumbers && this.#catchUp.refused(event.retryAfterMs);
    return messageAgain || requestAgain;
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const item of this.#ownLines.values()) {
      if (item.dataset.delivery === 'sending') showDelivery(item, { kind: 'sending', connected });
    }
  }

  /** Whether a message is the signed-in person's own, written here, in another tab or before. */
  #isOwn(message: ChatMessageEvent): boolean {
    const own = this.#ownSenderId();
    return own !== undefined && message.senderId === own;
  }

  /** Whether an event names another room than this one (a server without rooms names none). */
  #isElsewhere(room: string | undefined): boolean {
    return room !== undefined && room !== this.room;
  }
}

function orderOf(message: {
  readonly id: string | undefined;
  readonly seq: number | undefined;
}): LineOrder {
  return { seq: message.seq, id: message.id };
}

function messageItem(event: ChatMessageEvent, own: boolean): HTMLLIElement {
  return createMessageItem({
    own,
    senderName: event.senderName,
    senderGravatar: event.senderGravatar,
    text: event.message,
    sentAt: event.sentAt,
    ...(event.id === undefined ? {} : { messageId: event.id }),
    ...(event.seq === undefined ? {} : { seq: event.seq }),
  });
}
