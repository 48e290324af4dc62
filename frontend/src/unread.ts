/**
 * The unread count in the tab's title: while the tab is hidden, every message from someone else
 * that arrives counts, so a glance at the tab strip says `(3) AWSome Chat`; showing the tab again
 * clears it.
 */
export class UnreadCounter {
  #hidden: boolean;
  #count = 0;

  constructor(hidden: boolean) {
    this.#hidden = hidden;
  }

  /** How many messages arrived since the tab was last visible. */
  get count(): number {
    return this.#count;
  }

  /** The tab was hidden or shown; showing it means the messages are read. */
  visibilityChanged(hidden: boolean): void {
    this.#hidden = hidden;
    if (!hidden) this.#count = 0;
  }

  /** A message from someone else is now on the page; it counts only while nobody can see it. */
  messageArrived(): void {
    if (this.#hidden) this.#count += 1;
  }

  /** Forgets the count, as when the list is cleared for another room. */
  reset(): void {
    this.#count = 0;
  }
}

/** The title for a count: `(3) AWSome Chat`, `(99+) …` past 99, or the title alone at 0. */
export function titleWithUnread(title: string, unread: number): string {
  if (unread <= 0) return title;
  return `(${unread > 99 ? '99+' : unread}) ${title}`;
}
