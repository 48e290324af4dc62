import type { Timers } from './timers.ts';

/** A message the user wrote, from the moment they pressed Send until the room accepted it. */
export interface OutgoingMessage {
  /** The message's own id, the same in every attempt: the server accepts it once, whatever comes. */
  readonly clientId: string;
  /** The JSON frame, serialised once when the user pressed Send. */
  readonly frame: string;
}

/** Where one of our messages stands. */
export type DeliveryState =
  /** Waiting for a connection, for the messages before it, or for the server's answer. */
  | { readonly kind: 'sending' }
  /** The room accepted it (or a server that acknowledges nothing took it). */
  | { readonly kind: 'sent' }
  /**
   * The server refused it for good (`code` is its error code), or never answered however often
   * it went: `no_answer`. The user may send it again.
   */
  | { readonly kind: 'failed'; readonly code: string };

/** What the outbox tells the page. */
export interface OutboxListener {
  deliveryChanged(clientId: string, state: DeliveryState): void;
}

/** The server's refusal of one of our messages. */
export interface Refusal {
  readonly code: string;
  /** With `rate_limited`: when the server takes the next message. */
  readonly retryAfterMs?: number;
}

/**
 * Whether a refusal passes, so the same message goes again by itself: the sender was too fast
 * (`rate_limited`, with the wait), or the server failed before accepting it (`internal_error`).
 * Every other refusal (the text rules, a malformed frame) would meet the same answer again.
 */
export function refusalPasses(code: string): boolean {
  return code === 'rate_limited' || code === 'internal_error';
}

/** How long the outbox waits for answers, and how often it tries before it gives up. */
export interface AnswerPatience {
  /** The first attempt's wait for an answer; each unanswered attempt doubles the next one's. */
  readonly answerWaitMs: number;
  /** The first wait after the server failed to take a message; doubles likewise. */
  readonly retryWaitMs: number;
  /** No wait grows beyond this. */
  readonly maxWaitMs: number;
  /** Attempts that go unanswered or meet a server failure before the message counts as failed. */
  readonly attempts: number;
}

/**
 * Waits of 5, 10, 20, 30 and 30 s: the fifth attempt goes 65 s after the first, past the 30 s
 * after which the server lets a new attempt take over one whose invocation died (until then it
 * answers a repeat with nothing, the message being in progress elsewhere).
 */
export const defaultPatience: AnswerPatience = {
  answerWaitMs: 5_000,
  retryWaitMs: 1_000,
  maxWaitMs: 30_000,
  attempts: 5,
};

/** Everything an outbox needs from its surroundings. */
export interface OutboxOptions {
  /** Hands a frame to the socket; false when no socket can take it now. */
  readonly transmit: (frame: string) => boolean;
  readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  readonly listener: OutboxListener;
  readonly patience?: AnswerPatience;
}

/**
 * Our messages, in the order they were written, sent one at a time: the next goes only once the
 * server has acknowledged the one before or refused it for good, so the room accepts them in the
 * order they were written.
 *
 * A message that goes unanswered goes again with its own client id: on every new socket (after
 * the catch-up request), after a wait that grows, and after a refusal the server says will pass
 * (`rate_limited`, `internal_error`). The server accepts a client id once, so a repeat can never
 * make a second copy; it answers with the first one's ack. A server of an older protocol, which
 * acknowledges nothing, gets every message once, as soon as a socket takes it.
 */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #patience: AnswerPatience;
  readonly #queue: OutgoingMessage[] = [];
  /** Given up on, kept so the user can send them again. */
  readonly #failed = new Map<string, OutgoingMessage>();
  /** Whether a socket is open and has sent its opening frames. */
  #open = false;
  /** Whether the first message went on this socket and its answer is still to come. */
  #awaitingAnswer = false;
  /** Attempts of the first message on this socket that went unanswered or met a server failure. */
  #failedAttempts = 0;
  /** The wait for an answer, or before the next attempt; nothing is sent meanwhile. */
  #timer: unknown;
  /** Whether the server acknowledges messages (protocol 3); it says so in its history reply. */
  #serverAcknowledges = true;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#patience = options.patience ?? defaultPatience;
  }

  /** How many messages are waiting or awaiting their answer (failed ones not counted). */
  get size(): number {
    return this.#queue.length;
  }

  /**
   * Queues a message behind any that are waiting, and sends it at once if it is first in line and
   * a socket is open.
   *
   * @returns whether it went out now
   */
  enqueue(message: OutgoingMessage): boolean {
    this.#queue.push(message);
    this.#notify(message.clientId, { kind: 'sending' });
    return this.#sendNext().includes(message.clientId);
  }

  /** A socket is open and has sent its opening frames: the first message goes, or goes again. */
  opened(): void {
    this.#open = true;
    this.#restartAttempts();
    this.#sendNext();
  }

  /** The socket is gone: the message awaiting its answer goes again on the next one. */
  closed(): void {
    this.#open = false;
    this.#restartAttempts();
  }

  /** The room accepted a message (an ack, or a delivery report, which implies one). */
  acknowledged(clientId: string): void {
    const index = this.#queue.findIndex((message) => message.clientId === clientId);
    if (index === 0) {
      this.#queue.shift();
      this.#restartAttempts();
      this.#notify(clientId, { kind: 'sent' });
      this.#sendNext();
    } else if (index > 0) {
      // An earlier attempt of a message the user sent again was accepted after all.
      this.#queue.splice(index, 1);
      this.#notify(clientId, { kind: 'sent' });
    } else if (this.#failed.delete(clientId)) {
      this.#notify(clientId, { kind: 'sent' });
    }
    // Otherwise a repeat's ack for a message settled already: nothing changes.
  }

  /** The server refused a message: it goes again if the reason passes, else it has failed. */
  refused(clientId: string, refusal: Refusal): void {
    const first = this.#queue[0];
    // An answer to an attempt of a message that has been settled since.
    if (first?.clientId !== clientId) return;
    this.#stopTimer();
    this.#awaitingAnswer = false;
    if (refusal.code === 'rate_limited') {
      // Not a failure: the server said when it takes the next message.
      this.#waitThenSend(refusal.retryAfterMs ?? this.#patience.retryWaitMs);
    } else if (refusalPasses(refusal.code)) {
      this.#retryLater(first, refusal.code);
    } else {
      this.#fail(first, refusal.code);
    }
  }

  /**
   * An error frame that names no message (API Gateway's, when the function failed): the message
   * awaiting its answer may be the one that failed, so it goes again after a short wait. A repeat
   * is harmless; the server accepts it once.
   *
   * @returns whether a message was awaiting its answer
   */
  answerLost(): boolean {
    const first = this.#queue[0];
    if (!this.#awaitingAnswer || first === undefined) return false;
    this.#stopTimer();
    this.#awaitingAnswer = false;
    this.#retryLater(first, 'no_answer');
    return true;
  }

  /**
   * What the server's history reply said about its protocol. A server that acknowledges nothing
   * (protocol 2 or older) took the message awaiting its answer: it is sent, as is every later
   * one as soon as a socket takes it.
   */
  serverAcknowledges(acknowledges: boolean): void {
    this.#serverAcknowledges = acknowledges;
    const first = this.#queue[0];
    if (acknowledges || !this.#awaitingAnswer || first === undefined) return;
    this.#queue.shift();
    this.#restartAttempts();
    this.#notify(first.clientId, { kind: 'sent' });
    this.#sendNext();
  }

  /**
   * Sends a failed message again, with its own client id, behind any that are waiting.
   *
   * @returns false when no failed message has that id
   */
  retry(clientId: string): boolean {
    const message = this.#failed.get(clientId);
    if (message === undefined) return false;
    this.#failed.delete(clientId);
    this.enqueue(message);
    return true;
  }

  /** Forgets the failed messages, as when the page leaves their room. */
  discardFailed(): void {
    this.#failed.clear();
  }

  /** Sends what may go now; returns the client ids it handed to the socket. */
  #sendNext(): string[] {
    const sent: string[] = [];
    while (this.#open && !this.#awaitingAnswer && this.#timer === undefined) {
      const next = this.#queue[0];
      // A socket that cannot take it (closing): it stays first in line for the next socket.
      // One whose send throws stays too, and the error propagates: nothing is dropped silently.
      if (next === undefined || !this.#options.transmit(next.frame)) break;
      sent.push(next.clientId);
      if (!this.#serverAcknowledges) {
        this.#queue.shift();
        this.#notify(next.clientId, { kind: 'sent' });
        continue;
      }
      this.#awaitingAnswer = true;
      this.#timer = this.#options.timers.setTimeout(() => {
        this.#timer = undefined;
        this.#awaitingAnswer = false;
        this.#failedAttempts += 1;
        // In progress elsewhere, or lost with an invocation: the same client id goes again.
        if (this.#failedAttempts >= this.#patience.attempts) this.#fail(next, 'no_answer');
        else this.#sendNext();
      }, this.#grown(this.#patience.answerWaitMs));
    }
    return sent;
  }

  /** After a server failure: again after a growing wait, until the attempts are used up. */
  #retryLater(message: OutgoingMessage, code: string): void {
    this.#failedAttempts += 1;
    if (this.#failedAttempts >= this.#patience.attempts) this.#fail(message, code);
    else this.#waitThenSend(this.#grown(this.#patience.retryWaitMs, this.#failedAttempts - 1));
  }

  #waitThenSend(ms: number): void {
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#sendNext();
    }, ms);
  }

  #fail(message: OutgoingMessage, code: string): void {
    const index = this.#queue.indexOf(message);
    if (index !== -1) this.#queue.splice(index, 1);
    this.#failed.set(message.clientId, message);
    this.#restartAttempts();
    this.#notify(message.clientId, { kind: 'failed', code });
    this.#sendNext();
  }

  /** `baseMs` doubled once per failed attempt so far, up to the longest wait. */
  #grown(baseMs: number, doublings = this.#failedAttempts): number {
    return Math.min(this.#patience.maxWaitMs, baseMs * 2 ** doublings);
  }

  #restartAttempts(): void {
    this.#stopTimer();
    this.#awaitingAnswer = false;
    this.#failedAttempts = 0;
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #notify(clientId: string, state: DeliveryState): void {
    this.#options.listener.deliveryChanged(clientId, state);
  }
}
