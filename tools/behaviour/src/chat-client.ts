/**
 * A WebSocket client of the chat, as the suite drives one: it connects as the page would (the
 * page's `Origin`, the chat's subprotocol and a token when signed in), keeps every frame it
 * receives, spends from the suite's mirror of its budgets before every frame it sends (budget.ts),
 * so no test is refused by accident, and counts what it uses (usage.ts).
 */
import WebSocket from 'ws';
import { type BudgetMirror, spendTogether } from './budget.ts';
import type { UsageMeter } from './usage.ts';

/** A frame the chat sent, parsed; fields as docs/protocol.md names them. */
export interface ChatFrame {
  readonly type?: string;
  readonly code?: string;
  readonly clientId?: string;
  readonly id?: string;
  readonly seq?: number;
  readonly room?: string;
  readonly message?: string;
  readonly senderName?: string;
  readonly senderId?: string;
  readonly senderGravatar?: string;
  readonly sentAt?: string;
  readonly members?: number;
  readonly count?: number;
  readonly messages?: readonly ChatFrame[];
  readonly head?: number;
  readonly oldest?: number;
  readonly part?: number;
  readonly parts?: number;
  readonly retryAfterMs?: number;
  readonly [field: string]: unknown;
}

/** How a connection ended, as the client saw it. */
export interface CloseStatus {
  readonly code: number;
  readonly reason: string;
}

/** The server answered the handshake with an HTTP status instead of 101. */
export class HandshakeRefused extends Error {
  override readonly name = 'HandshakeRefused';
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}

/** How to open a client. */
export interface ChatClientOptions {
  /** The page's origin, sent as `Origin`. */
  readonly origin: string;
  /** The local address to connect from; the system's choice when undefined. */
  readonly localAddress: string | undefined;
  /** Subprotocols to offer (the chat's and a `bearer.` token when signed in). */
  readonly protocols: readonly string[];
  /** The budget of the person the client counts against. */
  readonly person: BudgetMirror;
  /** The connection's own budget. */
  readonly own: BudgetMirror;
  readonly meter: UsageMeter;
}

/** How long {@link ChatClient.waitFor} waits before it fails, naming what it waited for. */
const WAIT_MS = 30_000;

/** A connected client of the chat. */
export class ChatClient {
  /** Every text frame received, in order. */
  readonly received: string[] = [];
  readonly closed: Promise<CloseStatus>;
  readonly #socket: WebSocket;
  readonly #options: ChatClientOptions;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: WebSocket, options: ChatClientOptions) {
    this.#socket = socket;
    this.#options = options;
    const openedAt = Date.now();
    socket.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      options.meter.received(Buffer.byteLength(text));
      this.received.push(text);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        options.meter.connection(Date.now() - openedAt);
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
  }

  /**
   * Opens a connection.
   * @param url - the WebSocket URL with its query
   * @param options - origin, address, subprotocols, budgets, meter
   * @returns the client, once the socket is open
   * @throws HandshakeRefused with the status when the handshake is refused
   */
  static open(url: string, options: ChatClientOptions): Promise<ChatClient> {
    options.meter.handshake(options.protocols.some((protocol) => protocol.startsWith('bearer.')));
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, [...options.protocols], {
        origin: options.origin,
        handshakeTimeout: WAIT_MS,
        ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
      });
      socket.once('unexpected-response', (_request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', reject);
      socket.once('open', () => resolve(new ChatClient(socket, options)));
    });
  }

  /** The subprotocol the server chose. */
  get protocol(): string {
    return this.#socket.protocol;
  }

  /** Whether the socket is closed. */
  get isClosed(): boolean {
    return this.#socket.readyState === WebSocket.CLOSED;
  }

  /** Every frame received, parsed (a frame that is not JSON as `{ type: 'not-json' }`). */
  frames(): ChatFrame[] {
    return this.received.map((text) => {
      try {
        return JSON.parse(text) as ChatFrame;
      } catch {
        return { type: 'not-json', text };
      }
    });
  }

  /**
   * The n-th frame received (0-based), waiting for it if needed.
   * @param index - which frame
   * @returns it, parsed
   */
  async frame(index: number): Promise<ChatFrame> {
    await this.until(() => this.received.length > index, `frame ${index} came`);
    return this.frames()[index] as ChatFrame;
  }

  /** The frames of one type. */
  framesOf(type: string): ChatFrame[] {
    return this.frames().filter((frame) => frame.type === type);
  }

  /** The chat messages received live (not in a history reply). */
  messages(): ChatFrame[] {
    return this.framesOf('message');
  }

  /** The texts of the chat messages received live. */
  texts(): string[] {
    return this.messages().map((frame) => frame.message ?? '');
  }

  /**
   * Sends a JSON frame once both budgets allow it.
   * @param value - the frame
   */
  async send(value: unknown): Promise<void> {
    await this.sendText(JSON.stringify(value));
  }

  /**
   * Sends a text frame as it is once both budgets allow it.
   * @param text - the frame
   */
  async sendText(text: string): Promise<void> {
    await spendTogether([this.#options.person, this.#options.own]);
    this.#write(text);
  }

  /**
   * Sends frames at once, overspending on purpose; the budgets count them as the chat does.
   * @param texts - the frames
   */
  flood(texts: readonly string[]): void {
    for (const text of texts) {
      this.#options.person.record();
      this.#options.own.record();
      this.#write(text);
    }
  }

  /**
   * Overspends until the chat closes the connection: two and a half bursts at once (a burst
   * accepted, a burst refused, and enough to find the budget overdrawn), then half a burst more
   * every interval while it is still open. Never much more: every frame the chat has not handled
   * yet when it closes the connection still spends from the person's budget when it is handled.
   * @param text - the frame
   * @param most - frames to send at most
   * @returns how the connection closed
   * @throws Error when it is still open after `most` frames
   */
  async floodUntilClosed(text: string, most: number): Promise<CloseStatus> {
    const { burst } = this.#options.own.limit;
    const more = Math.max(1, Math.ceil(burst / 2));
    let sent = 2 * burst + more;
    this.flood(Array(sent).fill(text));
    while (!this.isClosed && sent < most) {
      await Promise.race([
        this.closed,
        new Promise((resolve) => setTimeout(resolve, this.#options.own.intervalMs)),
      ]);
      if (this.isClosed) break;
      this.flood(Array(more).fill(text));
      sent += more;
    }
    if (!this.isClosed)
      await Promise.race([this.closed, new Promise((r) => setTimeout(r, WAIT_MS))]);
    if (!this.isClosed) throw new Error(`the connection was still open after ${sent} frames`);
    return this.closed;
  }

  /**
   * Sends what the gateway refuses before the function sees it (a binary frame, an oversized
   * one): no budget is spent.
   * @param data - the frame
   * @param options - `binary`, and `fin: false` for a fragment of a longer message
   */
  sendRaw(data: string | Buffer, options: { binary?: boolean; fin?: boolean } = {}): void {
    this.#options.meter.sent(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    this.#socket.send(data, { binary: options.binary ?? false, fin: options.fin ?? true });
  }

  /**
   * Waits for a frame that matches, among those received so far and those to come.
   * @param predicate - what the frame must be
   * @param what - the frame in words, for the failure
   * @returns the first matching frame
   * @throws Error when the connection closes or 30 s pass without it
   */
  async waitFor(predicate: (frame: ChatFrame) => boolean, what: string): Promise<ChatFrame> {
    await this.until(() => this.frames().some(predicate), what);
    return this.frames().find(predicate) as ChatFrame;
  }

  /**
   * Waits until what the client received makes `condition` true.
   * @param condition - checked now and after every frame
   * @param what - what is awaited, in words, for the failure
   * @throws Error when the connection closes or 30 s pass first
   */
  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (condition()) return;
      if (this.isClosed) throw new Error(`the connection closed before ${what}`);
      if (Date.now() >= deadline) {
        throw new Error(`not ${what} within ${WAIT_MS / 1000} s; got ${this.received.join(' ')}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, deadline - Date.now());
        this.#waiters.add(wake);
      });
    }
  }

  /**
   * Waits for a live chat message with this text.
   * @param text - the message
   * @returns its frame
   */
  waitForMessage(text: string): Promise<ChatFrame> {
    return this.waitFor(
      (frame) => frame.type === 'message' && frame.message === text,
      `the message "${text}"`,
    );
  }

  /** Closes and waits until the close handshake is done. */
  async close(): Promise<CloseStatus> {
    if (!this.isClosed) this.#socket.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close frame, as a vanished client does. */
  async terminate(): Promise<CloseStatus> {
    this.#socket.terminate();
    return this.closed;
  }

  #write(text: string): void {
    this.#options.meter.sent(Buffer.byteLength(text));
    this.#socket.send(text);
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
