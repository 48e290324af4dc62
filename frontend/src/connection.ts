import { type BackoffPolicy, defaultBackoff, reconnectDelay } from './backoff.ts';
import { Outbox, type OutboxListener, type OutgoingMessage, type Refusal } from './outbox.ts';
import { keepAliveFrame } from './protocol.ts';
import type { Timers } from './timers.ts';

/** The part of the browser's `WebSocket` the connection uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** `WebSocket.OPEN`, spelled out so this module also runs where there is no `WebSocket`. */
const socketOpen = 1;

/** Where the connection stands; the page shows it at all times. */
export type ConnectionState =
  | { readonly kind: 'disconnected' }
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'connected' }
  | { readonly kind: 'waiting'; readonly attempt: number; readonly delayMs: number };

/** What the connection tells the page; `deliveryChanged` says where each of our messages stands. */
export interface ConnectionListener extends OutboxListener {
  stateChanged(state: ConnectionState): void;
  /** A text frame from the server, unparsed. */
  frameReceived(data: string): void;
  /** The socket closed without the user asking; `wasOpen` is false when it never opened. */
  connectionLost(wasOpen: boolean): void;
}

/** Everything a connection needs from its surroundings. */
export interface ConnectionOptions {
  readonly url: string;
  readonly listener: ConnectionListener;
  /** Opens a socket, offering `protocols` (the sign-in token among them) when there are any. */
  readonly createSocket: (url: string, protocols?: readonly string[]) => SocketLike;
  readonly timers: Timers;
  /** The clock, in epoch milliseconds (for {@link ChatConnection.holdReconnect}). */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly backoff?: BackoffPolicy;
  /** API Gateway closes sockets idle for 10 minutes; the default pings every 5. */
  readonly keepAliveMs?: number;
  /**
   * Frames to send first on every open, before any queued message (the history request).
   * Called at each open, so they can depend on what the page has seen so far.
   */
  readonly framesOnOpen?: () => readonly string[];
  /**
   * With sign-in: called before each socket opens, for the subprotocols to offer (the fresh ID
   * token among them). `undefined` means nobody is signed in: the connection stays disconnected.
   * A rejection (the token could not be renewed just now) counts as one more failed attempt.
   */
  readonly subprotocols?: () => Promise<readonly string[] | undefined>;
}

/** Half of API Gateway's 10-minute idle timeout, so one lost ping still leaves time for the next. */
export const defaultKeepAliveMs = 5 * 60_000;

/**
 * One chat connection that stays up: it reconnects with backoff and jitter whenever the socket
 * closes without the user asking (API Gateway's idle and 2-hour limits, a deploy, a dropped
 * network), keeps the socket alive while it is idle, and delivers our messages through its
 * outbox: one at a time, in order, each again on the next socket until the server acknowledges
 * it (see `Outbox`).
 */
export class ChatConnection {
  readonly #options: ConnectionOptions;
  readonly #outbox: Outbox;
  #url: string;
  #socket: SocketLike | undefined;
  #state: ConnectionState = { kind: 'disconnected' };
  #attempt = 0;
  #retryTimer: unknown;
  #keepAliveTimer: unknown;
  /** Counts opens and deliberate closes, so a socket prepared for an older one is not opened. */
  #generation = 0;
  /** No reconnect before this time (epoch ms): the server said when it takes us again. */
  #reconnectNotBefore = 0;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#url = options.url;
    this.#outbox = new Outbox({
      transmit: (frame) => this.request(frame),
      timers: options.timers,
      listener: options.listener,
    });
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** How many of our messages are not yet acknowledged (failed ones not counted). */
  get pendingCount(): number {
    return this.#outbox.size;
  }

  /** Connects now: from `disconnected`, or cutting a reconnect wait short. */
  connect(): void {
    if (this.#state.kind === 'connected' || this.#state.kind === 'connecting') return;
    this.#cancelRetry();
    this.#open();
  }

  /** Closes the connection on the user's request; no reconnect follows. Queued messages stay queued. */
  disconnect(): void {
    this.#closeDeliberately('Closed by the user');
    this.#setState({ kind: 'disconnected' });
  }

  /**
   * Moves to another URL (another room): closes the current socket, if any, without the loss
   * being reported or retried, and connects to `url` at once. Nothing queued may be waiting: it
   * was written for the old URL's room (the page refuses the switch until the outbox is empty).
   * Failed messages are forgotten with their room.
   */
  changeUrl(url: string): void {
    if (this.#outbox.size > 0) throw new Error('messages are still waiting for the old URL');
    this.#closeDeliberately('Switching rooms');
    this.#outbox.discardFailed();
    this.#url = url;
    this.#open();
  }

  /**
   * Queues a message and sends it at once if the socket is open and nothing is before it.
   *
   * @returns whether it went out now (otherwise it waits for the next connection, or its turn)
   */
  send(message: OutgoingMessage): boolean {
    return this.#outbox.enqueue(message);
  }

  /**
   * Sends a frame now if the socket is open (a history request for a gap); never queued.
   *
   * @returns whether it went out
   */
  request(frame: string): boolean {
    const socket = this.#socket;
    // A closing socket would drop it.
    if (socket?.readyState !== socketOpen) return false;
    socket.send(frame);
    return true;
  }

  /**
   * The server said it refuses new connections for `ms` (it closed ours for flooding): the next
   * reconnect waits at least that long, whatever the backoff says.
   */
  holdReconnect(ms: number): void {
    const now = (this.#options.now ?? Date.now)();
    this.#reconnectNotBefore = Math.max(this.#reconnectNotBefore, now + ms);
  }

  /** The server accepted one of our messages: the next one goes. */
  acknowledged(clientId: string): void {
    this.#outbox.acknowledged(clientId);
  }

  /** The server refused one of our messages (see `Outbox.refused`). */
  refused(clientId: string, refusal: Refusal): void {
    this.#outbox.refused(clientId, refusal);
  }

  /**
   * An error frame naming no message arrived: the message awaiting its answer goes again.
   *
   * @returns whether a message was awaiting its answer
   */
  answerLost(): boolean {
    return this.#outbox.answerLost();
  }

  /** Whether the server acknowledges messages (protocol 3), from its history reply. */
  serverAcknowledges(acknowledges: boolean): void {
    this.#outbox.serverAcknowledges(acknowledges);
  }

  /**
   * Sends a failed message again, with its own client id.
   *
   * @returns false when no failed message has that id
   */
  retry(clientId: string): boolean {
    return this.#outbox.retry(clientId);
  }

  /**
   * Closes the socket on purpose and stops retrying. The socket is forgotten first, so its
   * `close` event is ignored: a deliberate close is not a lost connection.
   */
  #closeDeliberately(reason: string): void {
    this.#generation += 1;
    this.#cancelRetry();
    this.#stopKeepAlive();
    this.#outbox.closed();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#attempt = 0;
    socket?.close(1000, reason);
  }

  #open(): void {
    const subprotocols = this.#options.subprotocols;
    if (subprotocols === undefined) {
      this.#openSocket(undefined);
      return;
    }
    this.#generation += 1;
    const generation = this.#generation;
    this.#setState({ kind: 'connecting', attempt: this.#attempt });
    subprotocols().then(
      (protocols) => {
        // Closed, or opened anew (another room), while the token was being fetched.
        if (generation !== this.#generation) return;
        if (protocols === undefined) this.#setState({ kind: 'disconnected' });
        else this.#openSocket(protocols);
      },
      () => {
        if (generation !== this.#generation) return;
        this.#options.listener.connectionLost(false);
        this.#scheduleRetry();
      },
    );
  }

  /** Opens a socket offering `protocols`; `undefined`: none (the open chat, as ever). */
  #openSocket(protocols: readonly string[] | undefined): void {
    let socket: SocketLike;
    try {
      socket =
        protocols === undefined
          ? this.#options.createSocket(this.#url)
          : this.#options.createSocket(this.#url, protocols);
    } catch {
      // Browsers throw here rather than fire `close` for some refusals (e.g. a blocked port);
      // treat it as one more failed attempt so the page keeps trying and keeps saying so.
      this.#socket = undefined;
      this.#options.listener.connectionLost(false);
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    // With sign-in the state said so already, before the token was fetched.
    if (protocols === undefined) this.#setState({ kind: 'connecting', attempt: this.#attempt });
    let wasOpen = false;

    // Events from a socket we have already replaced or closed must not touch the current one.
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      wasOpen = true;
      this.#attempt = 0;
      this.#startKeepAlive();
      // The catch-up request first, then the state (the page marks where history goes), then the
      // outbox: a message sent again after a drop comes after the request for what was missed.
      for (const frame of this.#options.framesOnOpen?.() ?? []) socket.send(frame);
      this.#setState({ kind: 'connected' });
      this.#outbox.opened();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;
      this.#options.listener.frameReceived(event.data);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#stopKeepAlive();
      this.#outbox.closed();
      this.#options.listener.connectionLost(wasOpen);
      this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    const random = this.#options.random ?? Math.random;
    const backoffMs = reconnectDelay(
      this.#attempt,
      this.#options.backoff ?? defaultBackoff,
      random(),
    );
    const heldMs =
      this.#reconnectNotBefore === 0
        ? 0
        : this.#reconnectNotBefore - (this.#options.now ?? Date.now)();
    const delayMs = Math.max(backoffMs, heldMs);
    this.#attempt += 1;
    this.#setState({ kind: 'waiting', attempt: this.#attempt, delayMs });
    this.#retryTimer = this.#options.timers.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#open();
    }, delayMs);
  }

  #cancelRetry(): void {
    if (this.#retryTimer === undefined) return;
    this.#options.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #startKeepAlive(): void {
    this.#stopKeepAlive();
    this.#keepAliveTimer = this.#options.timers.setInterval(() => {
      if (this.#socket?.readyState === socketOpen) this.#socket.send(keepAliveFrame);
    }, this.#options.keepAliveMs ?? defaultKeepAliveMs);
  }

  #stopKeepAlive(): void {
    if (this.#keepAliveTimer === undefined) return;
    this.#options.timers.clearInterval(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#options.listener.stateChanged(state);
  }
}
