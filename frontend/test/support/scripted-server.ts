/**
 * A chat server the test plays itself, for browser tests that need frames the real stack sends
 * rarely or never on demand (a gap in the serials, a refusal, an ack that does not come): the
 * page's WebSocket is answered by playwright's `routeWebSocket` and never reaches a server.
 */
import type { Page, WebSocketRoute } from 'playwright-core';

/** A frame the page sent, as parsed JSON. */
export type PageFrame = Record<string, unknown>;

/** The test's side of the page's WebSocket, across the page's reconnects. */
export interface ScriptedServer {
  /** Every frame the page sent, in order, over all its sockets. */
  readonly frames: PageFrame[];
  /** How many sockets the page has opened. */
  readonly sockets: () => number;
  /** Sends a frame to the page on its current socket. */
  send(frame: object): void;
  /** The page's next frame (from now on) that `matches`, once it has sent it. */
  nextFrame(matches: (frame: PageFrame) => boolean): Promise<PageFrame>;
  /** Closes the page's current socket, as a dropped connection would. */
  drop(): Promise<void>;
}

/**
 * Plays the chat server for every WebSocket the page opens to `url` (call before `goto`, e.g. as
 * `beforeLoad`). `answerHistory` answers each history request; chat frames are left to the test.
 */
export async function scriptServer(
  page: Page,
  url: string,
  answerHistory: (request: PageFrame, server: ScriptedServer) => void,
): Promise<ScriptedServer> {
  const frames: PageFrame[] = [];
  const waiters: { matches: (frame: PageFrame) => boolean; resolve: (f: PageFrame) => void }[] = [];
  let current: WebSocketRoute | undefined;
  let opened = 0;
  const server: ScriptedServer = {
    frames,
    sockets: () => opened,
    send(frame) {
      if (current === undefined) throw new Error('the page has no socket open');
      current.send(JSON.stringify(frame));
    },
    nextFrame(matches) {
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
    async drop() {
      const route = current;
      current = undefined;
      await route?.close();
    },
  };
  await page.routeWebSocket(url, (route) => {
    // Never connected to a server: playwright opens the page's socket once this returns.
    current = route;
    opened += 1;
    route.onMessage((data) => {
      if (typeof data !== 'string') return;
      const frame = JSON.parse(data) as PageFrame;
      frames.push(frame);
      for (const waiter of waiters.splice(0)) {
        if (waiter.matches(frame)) waiter.resolve(frame);
        else waiters.push(waiter);
      }
      if (frame.action === 'history') answerHistory(frame, server);
    });
  });
  return server;
}

/** A chat message event as the server sends it, live or in history. */
export function messageEvent(
  room: string,
  seq: number,
  message: string,
  senderName = 'Bob',
): Record<string, unknown> {
  return {
    type: 'message',
    id: `01KTEST${String(seq).padStart(19, '0')}`,
    seq,
    room,
    message,
    senderName,
    senderGravatar: '',
    sentAt: '2026-12-01T09:00:00.000Z',
  };
}

/** A one-part history reply of protocol 3. */
export function historyReply(
  room: string,
  messages: readonly object[],
  head: number,
  oldest: number,
): Record<string, unknown> {
  return { type: 'history', room, messages, part: 1, parts: 1, head, oldest };
}

/** Whether a frame is a chat message (it has a client id) with this text. */
export function chatFrame(text: string): (frame: PageFrame) => boolean {
  return (frame) => frame.message === text && typeof frame.clientId === 'string';
}
