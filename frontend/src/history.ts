/**
 * Showing each message once, in order, when the same message can arrive more than once: live and
 * again in a history frame, or twice live because the server's delivery retries (at least once).
 * Pure bookkeeping; the message list applies it to the DOM.
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
 * Where a message from a history frame goes in the list.
 *
 * @param following - the server ids of the lines from the anchor to the end of the list, the
 *   anchor first. The anchor is the line that announced the connection that asked for this history
 *   ("Connected…" or "Reconnected."). Lines without an id (system lines, own messages) are
 *   `undefined`.
 * @param id - the history message's id
 * @returns the index in `following` to insert before (0: before the anchor; `following.length`:
 *   at the end). A message older than every message that arrived live since the anchor was said
 *   before that connection opened (on a first load, or while the page was away), so it goes just
 *   before the anchor. A message newer than some of them goes between them by id.
 */
export function historyInsertionIndex(
  following: readonly (string | undefined)[],
  id: string,
): number {
  let lastOlder = -1;
  for (let index = 1; index < following.length; index += 1) {
    const other = following[index];
    if (other === undefined) continue;
    if (other > id) return lastOlder === -1 ? 0 : index;
    lastOlder = index;
  }
  return lastOlder === -1 ? 0 : lastOlder + 1;
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
 * message to everyone except its sender), so their server ids are unknown. A history frame after
 * a reconnect can hold them, with ids; this recognises them there by their content, so they are
 * not shown a second time as someone else's. Each sent message is recognised at most once, oldest
 * first, so sending the same text twice still leaves one copy to recognise per send.
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
