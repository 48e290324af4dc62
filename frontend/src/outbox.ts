/** A message the user wrote that has not yet been handed to an open socket. */
export interface OutgoingMessage {
  /** Page-local id, so the view can mark this very message as sent. */
  readonly id: string;
  /** The JSON frame, serialised once when the user pressed Send. */
  readonly frame: string;
}

/**
 * Messages waiting for a connection, in the order they were written.
 *
 * Each one leaves the outbox in the same step that hands it to the socket, so a flush that is
 * interrupted (the socket closes half-way) resends nothing that was already sent, and a message
 * only ever leaves the page once.
 */
export class Outbox {
  readonly #pending: OutgoingMessage[] = [];

  /** How many messages are waiting. */
  get size(): number {
    return this.#pending.length;
  }

  /** Queues a message behind any that are already waiting. */
  enqueue(message: OutgoingMessage): void {
    this.#pending.push(message);
  }

  /**
   * Sends waiting messages in order while `trySend` accepts them, and returns the ids it sent.
   *
   * `trySend` returns `false` when the socket cannot take a frame right now; the message then stays
   * first in line for the next flush. If `trySend` throws, the message also stays and the error
   * propagates, so nothing is dropped silently.
   */
  flush(trySend: (frame: string) => boolean): string[] {
    const sent: string[] = [];
    for (let next = this.#pending[0]; next !== undefined; next = this.#pending[0]) {
      if (!trySend(next.frame)) break;
      this.#pending.shift();
      sent.push(next.id);
    }
    return sent;
  }
}
