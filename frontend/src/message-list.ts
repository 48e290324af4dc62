import { createSystemItem, markSent, type SystemTone } from './view.ts';

/** Within this distance of the bottom the reader is "following along" and new lines scroll in. */
const followThresholdPx = 96;

/**
 * The conversation on screen: appends lines and keeps the newest in view, unless the reader has
 * scrolled up to read older ones; then a "New messages" button appears instead of yanking them
 * down.
 */
export class MessageList {
  readonly #list: HTMLOListElement;
  readonly #jumpButton: HTMLButtonElement;

  constructor(list: HTMLOListElement, jumpButton: HTMLButtonElement) {
    this.#list = list;
    this.#jumpButton = jumpButton;
    list.addEventListener('scroll', () => {
      if (this.#isFollowing()) jumpButton.hidden = true;
    });
    jumpButton.addEventListener('click', () => this.scrollToNewest());
  }

  /** Appends a line; `follow` scrolls to it even when the reader had scrolled up (own messages). */
  append(item: HTMLLIElement, follow = false): void {
    const following = this.#isFollowing();
    this.#list.append(item);
    if (following || follow) this.scrollToNewest();
    else this.#jumpButton.hidden = false;
  }

  /** Appends a system line: connection news, or an error in the error tone. */
  appendSystem(text: string, tone: SystemTone = 'info'): void {
    this.append(createSystemItem(text, tone));
  }

  /** Marks own messages as handed to the server. */
  markSent(ids: readonly string[]): void {
    for (const id of ids) {
      const item = this.#list.querySelector<HTMLElement>(`[data-pending-id="${CSS.escape(id)}"]`);
      if (item !== null) markSent(item);
    }
  }

  /** Shows the newest line and hides the "New messages" button. */
  scrollToNewest(): void {
    this.#list.scrollTop = this.#list.scrollHeight;
    this.#jumpButton.hidden = true;
  }

  #isFollowing(): boolean {
    const list = this.#list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < followThresholdPx;
  }
}
