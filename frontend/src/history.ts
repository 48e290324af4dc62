/**
 * Showing each message once, in the room's order, when the same message can arrive more than
 * once (live and again in a history frame, or twice live because the server's delivery retries:
 * at least once) and out of order (a retried post arrives after newer messages). The order is the
 * room's serials (protocol 3), or the server's ids from an older server. Pure bookkeeping; the
 * message list applies it to the DOM.
 */

/** The server ids of the messages on screen, and the newest of them. */
export class SeenMessageIds {
  readonly #ids = new Set<string>();
  #newest: string | undefined;

  /**
   * Records an id. Returns false when it was already recorded: the message is a repeat and must
   * not be shown again.
   */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    // Ids are ULIDs: their text order is their time order.
    if (this.#newest === undefined || id > this.#newest) this.#newest = id;
    return true;
  }

  /** The newest id seen: what a history request after a reconnect asks to start after. */
  get newest(): string | undefined {
    return this.#newest;
  }
}

/**
 * A line's place in the room's order, as far as it has one. System lines have none; our own
 * message has none until the room accepts it (protocol 3) or ever (older protocols).
 */
export interface LineOrder {
  /** The room's serial (protocol 3): the order the room accepted its messages in. */
  readonly seq?: number | undefined;
  /** The server's id, a ULID: its text order is its time order. */
  readonly id?: string | undefined;
  /** Our own message on its way: it stays below every line that has a place. */
  readonly sending?: boolean;
}

/**
 * Compares two lines' places: by serial when both have one, else by id when both have one (a
 * server of protocol 2, or lines from before a server's upgrade); `undefined` when they cannot be
 * compared.
 */
export function compareOrder(a: LineOrder, b: LineOrder): number | undefined {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.id !== undefined && b.id !== undefined) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return undefined;
}

/**
 * The stretch of the list where a message keeps the room's order: after the last line that comes
 * before it (`after`, -1 for none), up to the next line that comes after it or our first message
 * still on its way (`before`, or `undefined` when neither follows).
 */
function orderedStretch(
  lines: readonly LineOrder[],
  message: LineOrder,
): { readonly after: number; readonly before: number | undefined } {
  let after = -1;
  lines.forEach((line, index) => {
    if ((compareOrder(line, message) ?? 0) < 0) after = index;
  });
  for (let index = after + 1; index < lines.length; index += 1) {
    const line = lines[index] as LineOrder;
    if (line.sending === true || (compareOrder(line, message) ?? 0) > 0) {
      return { after, before: index };
    }
  }
  return { after, before: undefined };
}

/**
 * Where a message that arrived live goes: just before the next line that comes after it in the
 * room's order (a message the fan-out retried arrives after newer ones), or below everything but
 * our own messages still on their way.
 *
 * @returns the index to insert before (`lines.length`: at the end)
 */
export function liveInsertionIndex(lines: readonly LineOrder[], message: LineOrder): number {
  return orderedStretch(lines, message).before ?? lines.length;
}

/**
 * Where a message from a history frame goes.
 *
 * @param lines - the list's lines, top to bottom
 * @param message - the history message's serial and id
 * @param anchor - the index of the line that announced the connection that asked for this
 *   history ("Connected…" or "Reconnected."). A message that keeps the order just above it was
 *   said before that connection opened (on a first load, or while the page was away), so it goes
 *   there; otherwise it goes just before the next line that comes after it, or, when none does,
 *   just after the last line that comes before it.
 * @returns the index to insert before
 */
export function historyInsertionIndex(
  lines: readonly LineOrder[],
  message: LineOrder,
  anchor?: number,
): number {
  const { after, before } = orderedStretch(lines, message);
  if (anchor !== undefined && after < anchor && anchor <= (before ?? lines.length)) return anchor;
  return before ?? after + 1;
}

/**
 * Whether a line at `index` keeps the room's order among the other `lines` (the line itself left
 * out of them): our own message, once accepted, stays where it is unless its serial says
 * otherwise.
 */
export function keepsOrder(
  lines: readonly LineOrder[],
  message: LineOrder,
  index: number,
): boolean {
  const { after, before } = orderedStretch(lines, message);
  return after < index && index <= (before ?? lines.length);
}

/**
 * The messages on screen, by serial and by id: a message can arrive twice (live and in a history
 * frame, or twice live because delivery is at least once) and must be shown once.
 */
export class ShownMessages {
  readonly #ids = new SeenMessageIds();
  readonly #serials = new Set<number>();

  /**
   * Records a message. Returns false when its serial or its id was recorded before: it is a
   * repeat and must not be shown again.
   */
  add(message: { readonly id: string | undefined; readonly seq: number | undefined }): boolean {
    const { id, seq } = message;
    if ((seq !== undefined && this.#serials.has(seq)) || (id !== undefined && !this.#ids.add(id))) {
      return false;
    }
    if (seq !== undefined) this.#serials.add(seq);
    return true;
  }

  /** The newest id shown: what a server without serials resumes after. */
  get newestId(): string | undefined {
    return this.#ids.newest;
  }
}

/** Enough of a message to recognise it when the server sends it back in a history frame. */
export interface OwnMessageFingerprint {
  readonly message: string;
  readonly senderName: string;
  readonly senderGravatar: string | undefined;
}

/** How many own messages are remembered while they wait to be recognised. */
const ownMessagesRemembered = 200;

/**
 * The messages this tab sent, which it shows at once but never gets back live (the server sends a
 * message to everyone except its sender). A server of protocol 3 acknowledges each with its id
 * and serial; an older one tells nothing, so a history frame after a reconnect can hold them with
 * ids the page has never seen. This recognises those (messages without a serial) by their
 * content, so they are not shown a second time as someone else's. Each sent message is
 * recognised at most once, oldest first, so sending the same text twice still leaves one copy to
 * recognise per send.
 */
export class OwnMessages {
  readonly #waiting: OwnMessageFingerprint[] = [];

  /** Remembers a message this tab just sent. */
  sent(message: OwnMessageFingerprint): void {
    this.#waiting.push(message);
    if (this.#waiting.length > ownMessagesRemembered) this.#waiting.shift();
  }

  /** Whether `message` is one this tab sent and has not recognised yet; it is then recognised. */
  claim(message: OwnMessageFingerprint): boolean {
    const index = this.#waiting.findIndex(
      (own) =>
        own.message === message.message &&
        own.senderName === message.senderName &&
        own.senderGravatar === message.senderGravatar,
    );
    if (index === -1) return false;
    this.#waiting.splice(index, 1);
    return true;
  }
}
