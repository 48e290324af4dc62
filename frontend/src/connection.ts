import { type BackoffPolicy, defaultBackoff, reconnectDelay } from './backoff.ts';
import { Outbox, type OutgoingMessage } from './outbox.ts';
import { keepAliveFrame } from './protocol.ts';

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

/** What the connection tells the page. */
export interface ConnectionListener {
  stateChanged(state: ConnectionState): void;
  /** A text frame from the server, unparsed. */
  frameReceived(data: string): void;
  /** These outbox messages were just handed to an open socket. */
  messagesSent(ids: readonly string[]): void;
  /** The socket closed without the user asking; `wasOpen` is false when it never opened. */
  connectionLost(wasOpen: boolean): void;
}

/** Timer functions, injectable so tests control time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Everything a connection needs from its surroundings. */
export interface ConnectionOptions {
  readonly url: string;
  readonly listener: ConnectionListener;
  readonly createSocket: (url: string) => SocketLike;
  readonly timers: Timers;
  readonly random?: () => number;
  readonly backoff?: BackoffPolicy;
  /** API Gateway closes sockets idle for 10 minutes; the default pings every 5. */
  readonly keepAliveMs?: number;
  /**
   * Frames to send first on every open, before any queued message (the history request).
   * Called at each open, so they can depend on what the page has seen so far.
   */
  readonly framesOnOpen?: () => readonly string[];
}

/** Half of API Gateway's 10-minute idle timeout, so one lost ping still leaves time for the next. */
export const defaultKeepAliveMs = 5 * 60_000;

/**
 * One chat connection that stays up: it reconnects with backoff and jitter whenever the socket
 * closes without the user asking (API Gateway's idle and 2-hour limits, a deploy, a dropped
 * network), keeps the socket alive while it is idle, and sends messages written while offline
 * once it is back, each exactly once.
 */
export class ChatConnection {
  readonly #options: ConnectionOptions;
  readonly #outbox = new Outbox();
  #url: string;
  #socket: SocketLike | undefined;
  #state: ConnectionState = { kind: 'disconnected' };
  #attempt = 0;
  #retryTimer: unknown;
  #keepAliveTimer: unknown;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#url = options.url;
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** How many messages are waiting for a connection. */
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
   */
  changeUrl(url: string): void {
    if (this.#outbox.size > 0) throw new Error('messages are still waiting for the old URL');
    this.#closeDeliberately('Switching rooms');
    this.#url = url;
    this.#open();
  }

  /**
   * Queues a message and sends it at once if the socket is open.
   *
   * @returns whether it went out now (otherwise it waits for the next connection)
   */
  send(message: OutgoingMessage): boolean {
    this.#outbox.enqueue(message);
    return this.#flush().includes(message.id);
  }

  /**
   * Closes the socket on purpose and stops retrying. The socket is forgotten first, so its
   * `close` event is ignored: a deliberate close is not a lost connection.
   */
  #closeDeliberately(reason: string): void {
    this.#cancelRetry();
    this.#stopKeepAlive();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#attempt = 0;
    socket?.close(1000, reason);
  }

  #open(): void {
    let socket: SocketLike;
    try {
      socket = this.#options.createSocket(this.#url);
    } catch {
      // Browsers throw here rather than fire `close` for some refusals (e.g. a blocked port);
      // treat it as one more failed attempt so the page keeps trying and keeps saying so.
      this.#socket = undefined;
      this.#options.listener.connectionLost(false);
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#setState({ kind: 'connecting', attempt: this.#attempt });
    let wasOpen = false;

    // Events from a socket we have already replaced or closed must not touch the current one.
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      wasOpen = true;
      this.#attempt = 0;
      this.#setState({ kind: 'connected' });
      this.#startKeepAlive();
      for (const frame of this.#options.framesOnOpen?.() ?? []) socket.send(frame);
      this.#flush();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;
      this.#options.listener.frameReceived(event.data);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#stopKeepAlive();
      this.#options.listener.connectionLost(wasOpen);
      this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    const random = this.#options.random ?? Math.random;
    const delayMs = reconnectDelay(
      this.#attempt,
      this.#options.backoff ?? defaultBackoff,
      random(),
    );
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

  /** Hands queued messages to the socket while it is open; a closing socket would drop them. */
  #flush(): string[] {
    const socket = this.#socket;
    const sent = this.#outbox.flush((frame) => {
      if (socket?.readyState !== socketOpen) return false;
      socket.send(frame);
      return true;
    });
    if (sent.length > 0) this.#options.listener.messagesSent(sent);
    return sent;
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#options.listener.stateChanged(state);
  }
}
