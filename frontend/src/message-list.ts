import { historyInsertionIndex } from './history.ts';
import { createSystemItem, type SystemTone } from './view.ts';

/** Within this distance of the bottom the reader is "following along" and new lines scroll in. */
const followThresholdPx = 96;

/**
 * The conversation on screen: appends lines and keeps the newest in view, unless the reader has
 * scrolled up to read older ones; then a "New messages" button appears instead of yanking them
 * down. Messages from a history frame are slotted in among the lines already shown.
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

  /**
   * Puts a message from a history frame in its place: among the lines from `anchor` on (the line
   * that announced the connection which asked for the history), by its server id.
   */
  insertEarlier(item: HTMLLIElement, id: string, anchor: HTMLLIElement): void {
    const following: HTMLLIElement[] = [];
    let started = false;
    for (const line of this.#list.children) {
      if (line === anchor) started = true;
      if (started && line instanceof HTMLLIElement) following.push(line);
    }
    if (following.length === 0) {
      this.append(item); // The anchor is gone: the newest place is the only safe one.
      return;
    }
    const ids = following.map((line) => line.dataset.messageId);
    const before = following[historyInsertionIndex(ids, id)];
    const wasFollowing = this.#isFollowing();
    this.#list.insertBefore(item, before ?? null);
    this.#afterAdding(wasFollowing);
  }

  /** Removes every line, as when the page switches rooms. */
  clear(): void {
    this.#list.replaceChildren();
    this.#jumpButton.hidden = true;
  }

  /** Moves a line to the end, as one of our messages sent again. */
  moveToEnd(item: HTMLLIElement): void {
    this.append(item, true);
  }

  /** Shows the newest line and hides the "New messages" button. */
  scrollToNewest(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#jumpButton.hidden = true;
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
