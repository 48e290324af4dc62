/**
 * The serials of one room that the page holds. The room gives every message it accepts the next
 * serial (1, 2, 3…), so a serial the page lacks below one it has is a message it missed, and the
 * highest serial up to which it lacks none is where a catch-up starts.
 */
export class RoomSerials {
  /** Every serial up to this one is held or known not to exist; `undefined` before a baseline. */
  #contiguous: number | undefined;
  /** Serials held above `#contiguous`. */
  readonly #above = new Set<number>();
  #highest = 0;

  /**
   * The highest serial up to which the page holds every message, or knows that a missing one was
   * never committed or has expired. `undefined` until a history reply (protocol 3) says where the
   * room stands: before it, nothing below a serial can be told missing.
   */
  get contiguous(): number | undefined {
    return this.#contiguous;
  }

  /** Whether the page holds a serial above the contiguous ones: a message in between is missing. */
  get hasGap(): boolean {
    return this.#contiguous !== undefined && this.#highest > this.#contiguous;
  }

  /** Records a serial the page holds (a message shown, or our own one acknowledged). */
  received(seq: number): void {
    if (this.#contiguous !== undefined && seq <= this.#contiguous) return;
    this.#above.add(seq);
    this.#highest = Math.max(this.#highest, seq);
    this.#advance();
  }

  /**
   * A history reply covered every serial up to `head`: whichever of them it did not bring was
   * never committed or has expired, and will not come.
   */
  coveredThrough(head: number): void {
    this.#contiguous = Math.max(this.#contiguous ?? 0, head);
    this.#advance();
  }

  /**
   * How many serials after `after` and below `oldest` the page does not hold: messages the room
   * stopped keeping before the page could fetch them (or serials that were never committed, which
   * the page cannot tell apart: an upper bound). Ask before `coveredThrough` counts them as seen.
   */
  lostBefore(after: number, oldest: number): number {
    const from = Math.max(after, this.#contiguous ?? 0) + 1;
    if (oldest <= from) return 0;
    let held = 0;
    for (const seq of this.#above) if (seq >= from && seq < oldest) held += 1;
    return oldest - from - held;
  }

  #advance(): void {
    if (this.#contiguous === undefined) return;
    while (this.#above.has(this.#contiguous + 1)) this.#contiguous += 1;
    for (const seq of this.#above) if (seq <= this.#contiguous) this.#above.delete(seq);
  }
}
