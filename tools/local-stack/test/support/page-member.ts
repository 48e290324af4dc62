/**
 * A member of a room that keeps it as the page does, without a browser: a real `ws` client that
 * reads frames with the page's own parser, counts serials with the page's own bookkeeping
 * (RoomSerials: the contiguous serial, a history reply's `head` covering what it did not bring),
 * shows each message once in serial order by the page's own rule (ShownMessages), and asks for
 * history when the page's catch-up (frontend/src/catch-up.ts, whose timers need a browser) asks:
 * on every open, after the contiguous serial; and for a gap in the live serials that its grace
 * time did not fill, one request at a time. What it shows is what a user of the page would read;
 * `arrivals` is every copy of a message the server sent it.
 */
import { ShownMessages } from '../../../../frontend/src/history.ts';
import {
  buildHistoryRequest,
  type ChatMessageEvent,
  type HistoryEvent,
  parseServerEvent,
} from '../../../../frontend/src/protocol.ts';
import { RoomSerials } from '../../../../frontend/src/serials.ts';
import type { LocalStack } from '../../src/stack.ts';
import { joinRoom, toldTheRoomHas, waitUntil } from './chat-clients.ts';
import type { TestClient } from './helpers.ts';

/** The page's grace time for a gap (catch-up.ts's `defaultGraceMs`): the fan-out's first retry. */
const PAGE_GAP_GRACE_MS = 1_500;
/** The page's first wait before a refused history request goes again. */
const PAGE_RETRY_WAIT_MS = 1_000;

/** A message as the member shows it. */
export interface ShownMessage {
  readonly id: string | undefined;
  readonly seq: number | undefined;
  readonly message: string;
}

/** A copy of a message the server sent, live or in a history reply. */
export interface Arrival extends ShownMessage {
  readonly live: boolean;
}

/** A room member that keeps the room as the page keeps it. */
export class PageMember {
  readonly #stack: Pick<LocalStack, 'websocketUrl'>;
  readonly #room: string;
  readonly #gapGraceMs: number;
  readonly #serials = new RoomSerials();
  readonly #shownOnce = new ShownMessages();
  readonly #shown: ShownMessage[] = [];
  /** The texts of its own messages, by client id, until their ack gives them a place. */
  readonly #ownTexts = new Map<string, string>();
  /** Whether a history request awaits its last part. */
  #pending = false;
  #timer: NodeJS.Timeout | undefined;
  /** Every copy of a message the server sent it, in the order they came. */
  readonly arrivals: Arrival[] = [];
  /** Each connection it has had, the current one last. */
  readonly connections: TestClient[] = [];
  /** The history requests it sent, as sent. */
  readonly historyRequests: { action: string; after?: number | string }[] = [];

  private constructor(stack: Pick<LocalStack, 'websocketUrl'>, room: string, gapGraceMs: number) {
    this.#stack = stack;
    this.#room = room;
    this.#gapGraceMs = gapGraceMs;
  }

  /**
   * Joins a room as the page does: opens a connection of protocol 3 and asks for the history.
   * @param stack - the running stack
   * @param room - the room
   * @param options - `gapGraceMs`: how long a gap in the live serials may stay open before it is
   *   fetched (the page's 1.5 s by default)
   * @returns the member, once the first history reply and its head count are in
   */
  static async join(
    stack: Pick<LocalStack, 'websocketUrl'>,
    room: string,
    options: { readonly gapGraceMs?: number } = {},
  ): Promise<PageMember> {
    const member = new PageMember(stack, room, options.gapGraceMs ?? PAGE_GAP_GRACE_MS);
    await member.#open();
    return member;
  }

  /** The connection it is on now. */
  get connection(): TestClient {
    return this.connections.at(-1) as TestClient;
  }

  /** The highest serial up to which it holds every message. */
  get contiguous(): number | undefined {
    return this.#serials.contiguous;
  }

  /** The messages it shows, in the order the page shows them: by serial, each once. */
  shown(): ShownMessage[] {
    return this.#shown.toSorted((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  /** The texts it shows, in order. */
  shownTexts(): string[] {
    return this.shown().map((shown) => shown.message);
  }

  /** Waits until it shows every one of `texts`. */
  async waitToShow(...texts: string[]): Promise<void> {
    await waitUntil(
      () => texts.every((text) => this.shownTexts().includes(text)),
      `${texts.join(', ')} on the page`,
    );
  }

  /**
   * Sends a message with its client id, as the page does; its ack gives it its place.
   * @param text - the message
   * @param clientId - its client id (the same on every attempt)
   */
  send(text: string, clientId: string): void {
    this.#ownTexts.set(clientId, text);
    this.connection.sendJson({ action: 'sendmessage', message: text, clientId });
  }

  /** Loses its connection without a close frame (a network that drops), as the page sees it. */
  async drop(): Promise<void> {
    this.connection.socket.terminate();
    await this.connection.closed;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = false;
  }

  /** Opens a new connection, as the page does after a drop, and catches up. */
  async reconnect(): Promise<void> {
    await this.#open();
  }

  /** Closes its connection. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.connection.close();
  }

  async #open(): Promise<void> {
    const client = await joinRoom(this.#stack, this.#room);
    this.connections.push(client);
    client.socket.on('message', (data) => this.#receive(data.toString()));
    // Every open starts with a request for what was missed: everything, the first time.
    this.#ask(this.#serials.contiguous);
    // The head count comes last, once the room has been counted: the join's work is then done
    // but for telling the others, so a fault armed next strikes what the test does next.
    await waitUntil(
      () => !this.#pending && client.received.some((text) => text.includes('"type":"presence"')),
      'the opening history reply and head count',
    );
  }

  #ask(after: number | undefined): void {
    const socket = this.connection.socket;
    if (socket.readyState !== socket.OPEN) return;
    this.#pending = true;
    this.historyRequests.push(
      after === undefined ? { action: 'history' } : { action: 'history', after },
    );
    socket.send(buildHistoryRequest(after));
  }

  #receive(text: string): void {
    const event = parseServerEvent(text);
    switch (event?.type) {
      case 'message':
        this.#arrived(event, true);
        return;
      case 'history':
        this.#historyReceived(event);
        return;
      case 'ack':
      case 'delivery_incomplete': {
        // Our own message takes its place by its serial, and counts as held, as on the page.
        const text = this.#ownTexts.get(event.clientId);
        if (text === undefined || !this.#shownOnce.add(event)) return;
        this.#shown.push({ id: event.id, seq: event.seq, message: text });
        this.#serials.received(event.seq);
        this.#watchForGap();
        return;
      }
      case 'error':
        // An error without a client id answers the history request: it goes again.
        if (event.clientId === undefined && this.#pending) {
          this.#pending = false;
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            this.#ask(this.#serials.contiguous);
          }, event.retryAfterMs ?? PAGE_RETRY_WAIT_MS);
        }
        return;
      default:
        return;
    }
  }

  #historyReceived(event: HistoryEvent): void {
    for (const message of event.messages) this.#arrived(message, false);
    if (event.head !== undefined) this.#serials.coveredThrough(event.head);
    if ((event.part ?? 1) === (event.parts ?? 1)) {
      this.#pending = false;
      this.#watchForGap();
    }
  }

  #arrived(message: ChatMessageEvent, live: boolean): void {
    const { id, seq } = message;
    this.arrivals.push({ id, seq, message: message.message, live });
    if (!this.#shownOnce.add(message)) return;
    this.#shown.push({ id, seq, message: message.message });
    if (seq === undefined) return;
    this.#serials.received(seq);
    if (live) this.#watchForGap();
  }

  /** A live serial above a missing one: fetch the gap unless the grace time fills it. */
  #watchForGap(): void {
    if (!this.#serials.hasGap || this.#pending || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#serials.hasGap && !this.#pending) this.#ask(this.#serials.contiguous);
    }, this.#gapGraceMs);
  }
}

/**
 * Joins `count` members one after another, each once the room has heard of the one before: every
 * join's reads and posts are then over, so a fault armed next strikes what the test does next.
 * @param stack - the running stack
 * @param room - the room
 * @param count - how many
 * @param alreadyIn - the clients of protocol 3 in the room before (nobody else may be in it)
 * @returns the members, in the order they joined
 */
export async function joinPagesOneByOne(
  stack: Pick<LocalStack, 'websocketUrl'>,
  room: string,
  count: number,
  alreadyIn: readonly TestClient[],
): Promise<PageMember[]> {
  const members: PageMember[] = [];
  for (let joined = 0; joined < count; joined++) {
    members.push(await PageMember.join(stack, room));
    const everyone = [...alreadyIn, ...members.map((member) => member.connection)];
    await toldTheRoomHas(everyone, everyone.length);
  }
  return members;
}
