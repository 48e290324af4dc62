import { buildHistoryRequest, type HistoryEvent } from './protocol.ts';
import { RoomSerials } from './serials.ts';
import type { Timers } from './timers.ts';

/** Everything a catch-up needs from its surroundings. */
export interface CatchUpOptions {
  /** Sends a history request now if a socket is open; false when none is (the next open asks). */
  readonly request: (frame: string) => boolean;
  readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** How long a gap may stay open before the page fetches it. */
  readonly graceMs?: number;
}

/**
 * About as long as the fan-out's first retries take: a message missing behind a newer one has
 * most likely failed one post and is on its way again. Past this, the page asks for it.
 */
export const defaultGraceMs = 1_500;

/** The first wait before a refused history request goes again; each refusal in a row doubles it. */
const retryWaitMs = 1_000;
/** No wait between refused requests grows beyond this. */
const maxRetryWaitMs = 30_000;

/** What a history reply came to. */
export interface HistoryOutcome {
  /**
   * Whether it answered a request for what the page missed (on a reconnect or for a gap), so its
   * messages are news; a first load's history is not.
   */
  readonly missed: boolean;
  /**
   * How many messages the request asked for that the room no longer keeps (an upper bound; 0 for
   * none): the page says so, since it cannot show them.
   */
  readonly lost: number;
}

/** The history request awaiting its reply. */
interface PendingRequest {
  readonly after: number | string | undefined;
  /** Whether a part of the reply has been read already (only the first counts what was lost). */
  answered: boolean;
}

/**
 * Keeps the page's copy of a room whole: it asks for what was missed on every open (after the
 * contiguous serial, protocol 3, or after the newest id, protocol 2), notices a gap in the live
 * serials and fetches it once the grace time has not filled it, and asks again when a request is
 * refused. One request at a time: a reply covers everything up to the room's serial when it was
 * read, so a gap that opens meanwhile is looked at again once it is in.
 */
export class CatchUp {
  readonly serials = new RoomSerials();
  readonly #options: CatchUpOptions;
  #pending: PendingRequest | undefined;
  /** The grace time of a gap, or the wait before a refused request goes again. */
  #timer: unknown;
  /** Failures in a row, for the growing wait between them. */
  #refusals = 0;

  constructor(options: CatchUpOptions) {
    this.#options = options;
  }

  /** Whether the reply being read answers a request for what the page missed. */
  get catchingUp(): boolean {
    return this.#pending !== undefined && this.#pending.after !== undefined;
  }

  /**
   * The history request for a socket that just opened, sent before anything else: everything
   * after the contiguous serial; on a server without serials everything after the newest id
   * shown; everything kept on the first open.
   */
  openingRequest(newestId: string | undefined): string {
    this.#stopTimer();
    const after = this.serials.contiguous ?? newestId;
    this.#pending = { after, answered: false };
    return buildHistoryRequest(after);
  }

  /**
   * The page holds a message with this serial. One that arrived live (or our own, acknowledged)
   * and skips serials starts the grace time, after which the gap is fetched.
   */
  received(seq: number, live: boolean): void {
    this.serials.received(seq);
    if (live) this.#watchForGap();
  }

  /** A part of a history reply, read after its messages went through `received`. */
  historyReceived(event: HistoryEvent): HistoryOutcome {
    const pending = this.#pending;
    const missed = this.catchingUp;
    let lost = 0;
    if (event.head !== undefined) {
      if (
        pending !== undefined &&
        !pending.answered &&
        typeof pending.after === 'number' &&
        event.oldest !== undefined
      ) {
        lost = this.serials.lostBefore(pending.after, event.oldest);
      }
      this.serials.coveredThrough(event.head);
    }
    if (pending !== undefined) pending.answered = true;
    if ((event.part ?? 1) === (event.parts ?? 1)) {
      this.#pending = undefined;
      this.#refusals = 0;
      this.#watchForGap();
    }
    return { missed, lost };
  }

  /**
   * The server refused a request that named no message (rate-limited, or it could not read the
   * history) or its function failed. If a history request was awaiting its reply, that was it:
   * it goes again after `retryAfterMs` or a growing wait.
   *
   * @returns whether a request was awaiting its reply (so the refusal is accounted for)
   */
  refused(retryAfterMs?: number): boolean {
    const pending = this.#pending;
    if (pending === undefined) return false;
    this.#pending = undefined;
    this.#stopTimer();
    // The server named its wait (a rate limit): no failure, so the next wait does not grow.
    const wait = retryAfterMs ?? Math.min(maxRetryWaitMs, retryWaitMs * 2 ** this.#refusals++);
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#ask(this.serials.contiguous ?? pending.after);
    }, wait);
    return true;
  }

  /** The server has no history at all (an old one): nothing more will come for the request. */
  historyUnsupported(): void {
    this.#pending = undefined;
  }

  /** The socket is gone: the next open asks for everything missed, whatever was pending. */
  connectionLost(): void {
    this.#stopTimer();
    this.#pending = undefined;
    this.#refusals = 0;
  }

  #watchForGap(): void {
    if (!this.serials.hasGap || this.#pending !== undefined || this.#timer !== undefined) return;
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      // Filled meanwhile by the fan-out's retries: nothing to fetch.
      if (this.serials.hasGap && this.#pending === undefined) this.#ask(this.serials.contiguous);
    }, this.#options.graceMs ?? defaultGraceMs);
  }

  #ask(after: number | string | undefined): void {
    if (this.#options.request(buildHistoryRequest(after))) {
      this.#pending = { after, answered: false };
    }
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
