import {
  historyInsertionIndex,
  keepsOrder,
  type LineOrder,
  liveInsertionIndex,
} from './history.ts';
import { createSystemItem, type SystemTone } from './view.ts';

/** Within this distance of the bottom the reader is "following along" and new lines scroll in. */
const followThresholdPx = 96;

/**
 * The conversation on screen: adds lines and keeps the newest in view, unless the reader has
 * scrolled up to read older ones; then a "New messages" button appears instead of yanking them
 * down. Messages go in the room's order (see `history.ts`), which each line carries in its
 * `data-seq` and `data-message-id`.
 */
export class MessageList {
  readonly #scroller: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #jumpButton: HTMLButtonElement;

  /**
   * @param scroller - the scrolling live region (`role="log"`) around the list
   * @param list - the `<ol>` of lines
   * @param jumpButton - the "New messages" button
   */
  constructor(scroller: HTMLElement, list: HTMLOListElement, jumpButton: HTMLButtonElement) {
    this.#scroller = scroller;
    this.#list = list;
    this.#jumpButton = jumpButton;
    scroller.addEventListener('scroll', () => {
      if (this.#isFollowing()) jumpButton.hidden = true;
    });
    jumpButton.addEventListener('click', () => this.scrollToNewest());
  }

  /** Appends a line; `follow` scrolls to it even when the reader had scrolled up (own messages). */
  append(item: HTMLLIElement, follow = false): void {
    const following = this.#isFollowing();
    this.#list.append(item);
    this.#afterAdding(following || follow);
  }

  /** Appends a system line (connection news, or an error in the error tone) and returns it. */
  appendSystem(text: string, tone: SystemTone = 'info'): HTMLLIElement {
    const item = createSystemItem(text, tone);
    this.append(item);
    return item;
  }

  /** Puts a message that arrived live in its place: at the end, unless newer ones came first. */
  placeLive(item: HTMLLIElement, order: LineOrder): void {
    this.#insertAt(item, liveInsertionIndex(this.#orders(), order));
  }

  /**
   * Puts a message from a history frame (or a note about one) in its place, by its serial or id:
   * above `anchor`, the line that announced the connection which asked for the history, when
   * that keeps the order (see `historyInsertionIndex`).
   */
  placeEarlier(item: HTMLLIElement, order: LineOrder, anchor: HTMLLIElement | undefined): void {
    const lines = [...this.#list.children];
    const anchorIndex = anchor === undefined ? -1 : lines.indexOf(anchor);
    const orders = lines.map(lineOrder);
    this.#insertAt(
      item,
      historyInsertionIndex(orders, order, anchorIndex === -1 ? undefined : anchorIndex),
    );
  }

  /**
   * Moves one of our messages, which now has its serial, where the serial says, if it is not
   * there already (it usually is: a message is mostly accepted before the next one arrives).
   * Only serials count here: lines from before a server numbered its messages keep their place.
   */
  keepInOrder(item: HTMLLIElement): void {
    const others = [...this.#list.children].filter((line) => line !== item);
    const index = [...this.#list.children].indexOf(item);
    const bySerial = ({ seq, sending }: LineOrder): LineOrder => ({ seq, sending });
    const orders = others.map((line) => bySerial(lineOrder(line)));
    const order = bySerial(lineOrder(item));
    if (index !== -1 && keepsOrder(orders, order, index)) return;
    item.remove();
    this.#insertAt(item, liveInsertionIndex(orders, order));
  }

  /** Moves a line to the end, as one of our messages sent again. */
  moveToEnd(item: HTMLLIElement): void {
    this.append(item, true);
  }

  /**
   * Removes the line of another copy of a message (same serial or id), keeping `keep`: our own
   * message shown from a history reply before its ack said it was ours.
   */
  removeCopies(order: LineOrder, keep: HTMLLIElement): void {
    for (const line of [...this.#list.children]) {
      if (line === keep || !(line instanceof HTMLLIElement)) continue;
      const other = lineOrder(line);
      const sameSeq = other.seq !== undefined && other.seq === order.seq;
      const sameId = other.id !== undefined && other.id === order.id;
      if (sameSeq || sameId) line.remove();
    }
  }

  /** Removes every line, as when the page switches rooms. */
  clear(): void {
    this.#list.replaceChildren();
    this.#jumpButton.hidden = true;
  }

  /** Shows the newest line and hides the "New messages" button. */
  scrollToNewest(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#jumpButton.hidden = true;
  }

  #orders(): LineOrder[] {
    return [...this.#list.children].map(lineOrder);
  }

  #insertAt(item: HTMLLIElement, index: number): void {
    const wasFollowing = this.#isFollowing();
    this.#list.insertBefore(item, this.#list.children[index] ?? null);
    this.#afterAdding(wasFollowing);
  }

  #afterAdding(follow: boolean): void {
    if (follow) this.scrollToNewest();
    else this.#jumpButton.hidden = false;
  }

  #isFollowing(): boolean {
    const scroller = this.#scroller;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < followThresholdPx;
  }
}

/** A line's place in the room's order, from the attributes the view gave it. */
function lineOrder(line: Element): LineOrder {
  if (!(line instanceof HTMLElement)) return {};
  const { seq, messageId, delivery } = line.dataset;
  return {
    seq: seq === undefined ? undefined : Number(seq),
    id: messageId,
    sending: delivery === 'sending',
  };
}
