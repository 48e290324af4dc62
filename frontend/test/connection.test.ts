import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ChatConnection,
  type ConnectionListener,
  type ConnectionOptions,
  type ConnectionState,
  type SocketLike,
} from '../src/connection.ts';

/** A stand-in for the browser's WebSocket that the test opens, closes and reads. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedByPage = false;
  readonly #listeners = new Map<string, ((event: { data: unknown }) => void)[]>();

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(): void {
    this.closedByPage = true;
    this.readyState = 3;
  }

  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  serverOpens(): void {
    this.readyState = 1;
    this.#emit('open', {});
  }

  serverSends(data: string): void {
    this.#emit('message', { data });
  }

  serverDrops(): void {
    this.readyState = 3;
    this.#emit('close', {});
  }

  #emit(type: string, event: { data?: unknown }): void {
    for (const listener of this.#listeners.get(type) ?? []) listener({ data: event.data });
  }
}

interface Harness {
  connection: ChatConnection;
  sockets: FakeSocket[];
  states: ConnectionState[];
  frames: string[];
  /** The client ids of our messages the server acknowledged, in order. */
  sentIds: string[];
  losses: boolean[];
  /** The URL each socket was created with. */
  urls: string[];
  /** The subprotocols each socket offered (`undefined`: none asked for). */
  protocols: (readonly string[] | undefined)[];
  latest(): FakeSocket;
}

function startHarness(
  refusals = 0,
  framesOnOpen?: () => readonly string[],
  signIn: Pick<ConnectionOptions, 'subprotocols' | 'now'> = {},
): Harness {
  let refusalsLeft = refusals;
  const urls: string[] = [];
  const protocols: (readonly string[] | undefined)[] = [];
  const sockets: FakeSocket[] = [];
  const states: ConnectionState[] = [];
  const frames: string[] = [];
  const sentIds: string[] = [];
  const losses: boolean[] = [];
  const listener: ConnectionListener = {
    stateChanged: (state) => states.push(state),
    frameReceived: (data) => frames.push(data),
    deliveryChanged: (clientId, state) => {
      if (state.kind === 'sent') sentIds.push(clientId);
    },
    connectionLost: (wasOpen) => losses.push(wasOpen),
  };
  const connection = new ChatConnection({
    url: 'wss://chat.example/prod',
    listener,
    ...(framesOnOpen === undefined ? {} : { framesOnOpen }),
    ...signIn,
    createSocket: (url, offered) => {
      urls.push(url);
      protocols.push(offered);
      if (refusalsLeft > 0) {
        refusalsLeft -= 1;
        throw new Error('SecurityError');
      }
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      setInterval: (callback, ms) => setInterval(callback, ms),
      clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
    },
    random: () => 0,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    keepAliveMs: 300_000,
  });
  return {
    connection,
    sockets,
    states,
    frames,
    sentIds,
    losses,
    urls,
    protocols,
    latest: () => {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error('no socket was created');
      return socket;
    },
  };
}

describe('ChatConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects, sends at once while open and passes frames on', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    chat.latest().serverOpens();

    // Act
    const sentNow = chat.connection.send({ clientId: 'm1', frame: '{"message":"hi"}' });
    chat.latest().serverSends('{"type":"message"}');
    chat.connection.acknowledged('m1');

    // Assess
    expect(sentNow).toBe(true);
    expect(chat.latest().sent).toEqual(['{"message":"hi"}']);
    expect(chat.sentIds).toEqual(['m1']);
    expect(chat.frames).toEqual(['{"type":"message"}']);
    expect(chat.states.map((state) => state.kind)).toEqual(['connecting', 'connected']);
  });

  it('reconnects with growing delays after unexpected closes, and resets after a success', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    chat.latest().serverOpens();

    // Act: dropped, then two failed handshakes, then success, then dropped again
    chat.latest().serverDrops();
    vi.advanceTimersByTime(500);
    chat.latest().serverDrops();
    vi.advanceTimersByTime(1_000);
    chat.latest().serverDrops();
    vi.advanceTimersByTime(2_000);
    chat.latest().serverOpens();
    chat.latest().serverDrops();

    // Assess
    const waits = chat.states.flatMap((state) => (state.kind === 'waiting' ? [state.delayMs] : []));
    expect(waits).toEqual([500, 1_000, 2_000, 500]);
    expect(chat.sockets).toHaveLength(4);
    expect(chat.losses).toEqual([true, false, false, true]);
  });

  it('holds messages written while disconnected and sends each exactly once after reconnecting', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    chat.latest().serverOpens();
    chat.connection.send({ clientId: 'm1', frame: 'one' });
    chat.connection.acknowledged('m1');
    chat.latest().serverDrops();

    // Act: each goes once the one before is acknowledged
    const sentNow = chat.connection.send({ clientId: 'm2', frame: 'two' });
    chat.connection.send({ clientId: 'm3', frame: 'three' });
    vi.advanceTimersByTime(500);
    chat.latest().serverOpens();
    chat.connection.acknowledged('m2');
    chat.connection.acknowledged('m3');

    // Assess
    expect(sentNow).toBe(false);
    expect(chat.sockets[0]?.sent).toEqual(['one']);
    expect(chat.sockets[1]?.sent).toEqual(['two', 'three']);
    expect(chat.sentIds).toEqual(['m1', 'm2', 'm3']);
    expect(chat.connection.pendingCount).toBe(0);
  });

  it('does not reconnect after the user disconnects, and keeps queued messages for later', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    chat.latest().serverOpens();

    // Act
    chat.connection.disconnect();
    chat.connection.send({ clientId: 'm1', frame: 'later' });
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(chat.latest().closedByPage).toBe(true);
    expect(chat.sockets).toHaveLength(1);
    expect(chat.connection.state).toEqual({ kind: 'disconnected' });
    expect(chat.connection.pendingCount).toBe(1);
  });

  it('ignores a late close from a socket it already replaced', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    const first = chat.latest();
    first.serverOpens();
    chat.connection.disconnect();
    chat.connection.connect();
    chat.latest().serverOpens();

    // Act
    first.serverDrops();
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(chat.connection.state).toEqual({ kind: 'connected' });
    expect(chat.sockets).toHaveLength(2);
    expect(chat.losses).toEqual([]);
  });

  it('sends a keep-alive ping every interval while connected, and stops when closed', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    const socket = chat.latest();
    socket.serverOpens();

    // Act
    vi.advanceTimersByTime(600_000);
    chat.connection.disconnect();
    vi.advanceTimersByTime(600_000);

    // Assess
    expect(socket.sent).toEqual(['{"action":"ping"}', '{"action":"ping"}']);
  });

  it('keeps retrying when the browser refuses to even create the socket', () => {
    // Prepare
    const chat = startHarness(2);

    // Act
    chat.connection.connect();
    vi.advanceTimersByTime(500);
    vi.advanceTimersByTime(1_000);
    chat.latest().serverOpens();

    // Assess
    expect(chat.losses).toEqual([false, false]);
    expect(chat.states.map((state) => state.kind)).toEqual([
      'waiting',
      'waiting',
      'connecting',
      'connected',
    ]);
  });

  it('cuts a reconnect wait short when asked to connect', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    chat.latest().serverOpens();
    chat.latest().serverDrops();

    // Act
    chat.connection.connect();
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(chat.sockets).toHaveLength(2);
    expect(chat.connection.state.kind).toBe('connecting');
  });

  it('sends the opening frames first on every open, before the queued messages', () => {
    // Prepare
    let opens = 0;
    const chat = startHarness(0, () => {
      opens += 1;
      return [`{"action":"history","open":${opens}}`];
    });
    chat.connection.send({ clientId: 'm1', frame: '{"message":"queued"}' });
    chat.connection.connect();

    // Act
    chat.latest().serverOpens();
    chat.connection.acknowledged('m1');
    chat.latest().serverDrops();
    vi.advanceTimersByTime(1_000);
    chat.latest().serverOpens();

    // Assess
    expect(chat.sockets[0]?.sent).toEqual([
      '{"action":"history","open":1}',
      '{"message":"queued"}',
    ]);
    expect(chat.sockets[1]?.sent).toEqual(['{"action":"history","open":2}']);
  });

  it('moves to another URL at once, closing the old socket without reporting a loss', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();
    const first = chat.latest();
    first.serverOpens();

    // Act
    chat.connection.changeUrl('wss://chat.example/prod?room=dev');
    first.serverDrops(); // the close event of the old socket arrives after the switch
    chat.latest().serverOpens();
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(first.closedByPage).toBe(true);
    expect(chat.urls).toEqual(['wss://chat.example/prod', 'wss://chat.example/prod?room=dev']);
    expect(chat.losses).toEqual([]);
    expect(chat.sockets).toHaveLength(2);
    expect(chat.connection.state.kind).toBe('connected');
  });

  it('connects to the new URL from disconnected, and reconnects to it after a drop', () => {
    // Prepare
    const chat = startHarness();

    // Act
    chat.connection.changeUrl('wss://chat.example/prod?room=dev');
    chat.latest().serverOpens();
    chat.latest().serverDrops();
    vi.advanceTimersByTime(1_000);

    // Assess
    expect(chat.urls).toEqual([
      'wss://chat.example/prod?room=dev',
      'wss://chat.example/prod?room=dev',
    ]);
  });

  it('refuses to move while messages written for the old URL are waiting', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.send({ clientId: 'm1', frame: '{"message":"for the old room"}' });

    // Act
    const move = (): void => chat.connection.changeUrl('wss://chat.example/prod?room=dev');

    // Assess
    expect(move).toThrow('messages are still waiting');
    expect(chat.sockets).toHaveLength(0);
  });
  it('sends a message that was not acknowledged again on the next socket, after the opening frames', () => {
    // Prepare
    const chat = startHarness(0, () => ['{"action":"history"}']);
    chat.connection.connect();
    chat.latest().serverOpens();
    chat.connection.send({ clientId: 'm1', frame: '{"message":"one","clientId":"m1"}' });
    chat.connection.send({ clientId: 'm2', frame: '{"message":"two","clientId":"m2"}' });

    // Act: dropped before m1's ack
    chat.latest().serverDrops();
    vi.advanceTimersByTime(1_000);
    chat.latest().serverOpens();
    chat.connection.acknowledged('m1');
    chat.connection.acknowledged('m2');

    // Assess
    expect(chat.sockets[0]?.sent).toEqual([
      '{"action":"history"}',
      '{"message":"one","clientId":"m1"}',
    ]);
    expect(chat.sockets[1]?.sent).toEqual([
      '{"action":"history"}',
      '{"message":"one","clientId":"m1"}',
      '{"message":"two","clientId":"m2"}',
    ]);
    expect(chat.sentIds).toEqual(['m1', 'm2']);
  });

  it('sends a request at once while open, and refuses it while not', () => {
    // Prepare
    const chat = startHarness();
    chat.connection.connect();

    // Act
    const beforeOpen = chat.connection.request('{"action":"history","after":3}');
    chat.latest().serverOpens();
    const whileOpen = chat.connection.request('{"action":"history","after":4}');

    // Assess
    expect([beforeOpen, whileOpen]).toEqual([false, true]);
    expect(chat.latest().sent).toEqual(['{"action":"history","after":4}']);
  });

  it('reports the connected state after the opening frames went, so the page marks where their answer goes', () => {
    // Prepare
    const seen: { chat?: Harness; stateWhenFramesWent?: string } = {};
    const chat = startHarness(0, () => {
      seen.stateWhenFramesWent = seen.chat?.states.at(-1)?.kind;
      return ['{"action":"history"}'];
    });
    seen.chat = chat;
    chat.connection.connect();

    // Act
    chat.latest().serverOpens();

    // Assess
    expect(seen.stateWhenFramesWent).toBe('connecting');
    expect(chat.states.at(-1)?.kind).toBe('connected');
  });
});

describe('ChatConnection with sign-in', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A token source the test answers: each handshake asks it once. */
  function tokenSource(): {
    subprotocols: () => Promise<readonly string[] | undefined>;
    asked: () => number;
    answer: (protocols: readonly string[] | undefined) => Promise<void>;
    fail: () => Promise<void>;
  } {
    const pending: {
      resolve: (p: readonly string[] | undefined) => void;
      reject: (e: unknown) => void;
    }[] = [];
    return {
      subprotocols: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
      asked: () => pending.length,
      async answer(protocols) {
        pending.at(-1)?.resolve(protocols);
        await vi.advanceTimersByTimeAsync(0);
      },
      async fail() {
        pending.at(-1)?.reject(new TypeError('Failed to fetch'));
        await vi.advanceTimersByTimeAsync(0);
      },
    };
  }

  it('asks for the token before each handshake and offers it, reconnects included', async () => {
    // Prepare
    const tokens = tokenSource();
    const chat = startHarness(0, undefined, { subprotocols: tokens.subprotocols });

    // Act
    chat.connection.connect();
    const stateWhileAsking = chat.connection.state.kind;
    await tokens.answer(['awsome-chat', 'bearer.first']);
    chat.latest().serverOpens();
    chat.latest().serverDrops();
    vi.advanceTimersByTime(500);
    await tokens.answer(['awsome-chat', 'bearer.second']);

    // Assess
    expect(stateWhileAsking).toBe('connecting');
    expect(tokens.asked()).toBe(2);
    expect(chat.protocols).toEqual([
      ['awsome-chat', 'bearer.first'],
      ['awsome-chat', 'bearer.second'],
    ]);
    expect(chat.states.map((state) => state.kind)).toEqual([
      'connecting',
      'connected',
      'waiting',
      'connecting',
    ]);
  });

  it('stays disconnected, without retrying, when nobody is signed in', async () => {
    // Prepare
    const tokens = tokenSource();
    const chat = startHarness(0, undefined, { subprotocols: tokens.subprotocols });

    // Act
    chat.connection.connect();
    await tokens.answer(undefined);
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(chat.sockets).toHaveLength(0);
    expect(chat.connection.state).toEqual({ kind: 'disconnected' });
    expect(tokens.asked()).toBe(1);
  });

  it('counts a token that could not be had as a failed attempt, and tries again with backoff', async () => {
    // Prepare
    const tokens = tokenSource();
    const chat = startHarness(0, undefined, { subprotocols: tokens.subprotocols });

    // Act
    chat.connection.connect();
    await tokens.fail();
    vi.advanceTimersByTime(500);
    await tokens.answer(['awsome-chat', 'bearer.t']);

    // Assess
    expect(chat.losses).toEqual([false]);
    expect(chat.sockets).toHaveLength(1);
    expect(chat.states.map((state) => state.kind)).toEqual(['connecting', 'waiting', 'connecting']);
  });

  it('opens no socket for a token that comes after the user disconnected or switched rooms', async () => {
    // Prepare
    const tokens = tokenSource();
    const chat = startHarness(0, undefined, { subprotocols: tokens.subprotocols });
    chat.connection.connect();

    // Act
    chat.connection.disconnect();
    await tokens.answer(['awsome-chat', 'bearer.late']);
    chat.connection.changeUrl('wss://chat.example/prod?room=dev');
    const asked = tokens.asked();
    await tokens.answer(['awsome-chat', 'bearer.now']);

    // Assess
    expect(asked).toBe(2);
    expect(chat.urls).toEqual(['wss://chat.example/prod?room=dev']);
    expect(chat.protocols).toEqual([['awsome-chat', 'bearer.now']]);
  });

  it('offers no subprotocol at all without sign-in, as before', () => {
    // Prepare
    const chat = startHarness();

    // Act
    chat.connection.connect();

    // Assess
    expect(chat.protocols).toEqual([undefined]);
  });
});

describe('ChatConnection.holdReconnect', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits at least as long as the server said before reconnecting, then backs off as usual', () => {
    // Prepare
    const chat = startHarness(0, undefined, { now: () => Date.now() });
    chat.connection.connect();
    chat.latest().serverOpens();

    // Act: the server closed the connection for flooding and takes none for 5 s
    chat.connection.holdReconnect(5_000);
    chat.latest().serverDrops();
    vi.advanceTimersByTime(4_999);
    const socketsWhileHeld = chat.sockets.length;
    vi.advanceTimersByTime(1);

    // Assess
    const waits = chat.states.flatMap((state) => (state.kind === 'waiting' ? [state.delayMs] : []));
    expect(waits).toEqual([5_000]);
    expect(socketsWhileHeld).toBe(1);
    expect(chat.sockets).toHaveLength(2);
  });
});
