import { type OwnMessageFingerprint, OwnMessages, SeenMessageIds } from './history.ts';
import type { MessageList } from './message-list.ts';
import {
  buildHistoryRequest,
  type ChatMessageEvent,
  describeServerError,
  historyUnsupportedCode,
  parseServerEvent,
} from './protocol.ts';
import { createMessageItem } from './view.ts';

/** What a room session tells the page around the message list. */
export interface RoomSessionListener {
  /** A message from someone else is now on screen (for the unread count). */
  messageArrived(): void;
  /** The server's count of the people in the room. */
  presenceChanged(count: number): void;
}

/**
 * The conversation in one room, from the first open to the switch to another room: it asks for
 * history on every open, reads the server's frames and puts each message on screen once, in its
 * place. A new room gets a new session, so nothing seen in one room affects another.
 */
export class RoomSession {
  readonly room: string;
  readonly #messages: MessageList;
  readonly #listener: RoomSessionListener;
  readonly #seen = new SeenMessageIds();
  readonly #own = new OwnMessages();
  #hasBeenConnected = false;
  /** The line that announced the latest open; history from that open is slotted in around it. */
  #anchor: HTMLLIElement | undefined;
  /** Whether the latest history request asked only for what was missed (so it is news). */
  #catchingUp = false;

  constructor(room: string, messages: MessageList, listener: RoomSessionListener) {
    this.room = room;
    this.#messages = messages;
    this.#listener = listener;
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
  }

  /** This tab sent a message (already on screen as its own). */
  sent(message: OwnMessageFingerprint): void {
    this.#own.sent(message);
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
        for (const message of event.messages) this.#showEarlier(message);
        return;
      case 'presence':
        if (!this.#isElsewhere(event.room)) this.#listener.presenceChanged(event.count);
        return;
      case 'error':
        // A server without history answers the history request so; it has nothing to show.
        if (event.code === historyUnsupportedCode) return;
        this.#messages.appendSystem(describeServerError(event), 'error');
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
