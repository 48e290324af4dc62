import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CatchUp } from '../src/catch-up.ts';
import type { HistoryEvent } from '../src/protocol.ts';

/** A catch-up whose history requests land in `requests` while `socket.open`. */
function startCatchUp() {
  const requests: unknown[] = [];
  const socket = { open: true };
  const catchUp = new CatchUp({
    request: (frame) => {
      if (!socket.open) return false;
      requests.push(JSON.parse(frame));
      return true;
    },
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  });
  return { catchUp, requests, socket };
}

/** A history reply of protocol 3 carrying the given serials (the messages are not read here). */
function reply(head: number, oldest: number, part = 1, parts = 1): HistoryEvent {
  return { type: 'history', room: 'lobby', messages: [], part, parts, head, oldest };
}

describe('CatchUp', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for everything on the first open, and after the contiguous serial on every reconnect', () => {
    // Prepare
    const { catchUp } = startCatchUp();

    // Act
    const first = JSON.parse(catchUp.openingRequest(undefined));
    catchUp.received(19, false);
    catchUp.historyReceived(reply(20, 1));
    catchUp.received(21, true);
    catchUp.received(23, true); // 22 is missing: the reconnect asks after 21, not after 23
    catchUp.connectionLost();
    const reconnect = JSON.parse(catchUp.openingRequest('01JD00000000000000000000ZZ'));

    // Assess
    expect(first).toEqual({ action: 'history' });
    expect(reconnect).toEqual({ action: 'history', after: 21 });
  });

  it('asks after the newest id on a server without serials', () => {
    // Prepare
    const { catchUp } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived({ type: 'history', room: 'lobby', messages: [] });

    // Act
    const request = JSON.parse(catchUp.openingRequest('01JD00000000000000000000ZZ'));

    // Assess
    expect(request).toEqual({ action: 'history', after: '01JD00000000000000000000ZZ' });
  });

  it('fetches a gap in the live serials once the grace time has passed without filling it', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));

    // Act: 12 without 11
    catchUp.received(12, true);
    vi.advanceTimersByTime(1_499);
    const beforeGrace = requests.length;
    vi.advanceTimersByTime(1);

    // Assess
    expect(beforeGrace).toBe(0);
    expect(requests).toEqual([{ action: 'history', after: 10 }]);
  });

  it('fetches nothing when the missing message arrives within the grace time', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));

    // Act
    catchUp.received(12, true);
    vi.advanceTimersByTime(1_000);
    catchUp.received(11, true);
    vi.advanceTimersByTime(10_000);

    // Assess
    expect(requests).toEqual([]);
    expect(catchUp.serials.contiguous).toBe(12);
  });

  it('closes a gap whose serials the reply covers without bringing them', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));
    catchUp.received(12, true);
    vi.advanceTimersByTime(1_500);

    // Act: 11 was never committed
    const outcome = catchUp.historyReceived(reply(12, 1));
    vi.advanceTimersByTime(10_000);

    // Assess
    expect(requests).toHaveLength(1);
    expect(outcome).toEqual({ missed: true, lost: 0 });
    expect(catchUp.serials.contiguous).toBe(12);
  });

  it('asks one request at a time, and looks at a gap that opened meanwhile once the reply is in', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);

    // Act: a gap opens before the first reply's baseline, then again after it
    catchUp.received(30, true);
    vi.advanceTimersByTime(5_000);
    const whileFirstPending = requests.length;
    catchUp.historyReceived(reply(27, 1));
    vi.advanceTimersByTime(1_500);

    // Assess: 28 and 29 are missing below 30
    expect(whileFirstPending).toBe(0);
    expect(requests).toEqual([{ action: 'history', after: 27 }]);
  });

  it('treats a multi-part reply as pending until its last part', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);

    // Act
    catchUp.historyReceived(reply(10, 1, 1, 2));
    catchUp.received(12, true);
    vi.advanceTimersByTime(5_000);
    const beforeLastPart = requests.length;
    catchUp.historyReceived(reply(10, 1, 2, 2));
    vi.advanceTimersByTime(1_500);

    // Assess
    expect(beforeLastPart).toBe(0);
    expect(requests).toEqual([{ action: 'history', after: 10 }]);
  });

  it('says how many asked-for messages the room no longer keeps, once per reply', () => {
    // Prepare: held up to 3, away, then the room keeps only from 9 on
    const { catchUp } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(3, 1));
    catchUp.connectionLost();
    catchUp.openingRequest(undefined);

    // Act
    const firstPart = catchUp.historyReceived(reply(60, 9, 1, 2));
    const secondPart = catchUp.historyReceived(reply(60, 9, 2, 2));

    // Assess: 4 to 8
    expect(firstPart).toEqual({ missed: true, lost: 5 });
    expect(secondPart).toEqual({ missed: true, lost: 0 });
    expect(catchUp.serials.contiguous).toBe(60);
  });

  it('counts a first load as not news, and losing nothing', () => {
    // Prepare
    const { catchUp } = startCatchUp();
    catchUp.openingRequest(undefined);

    // Act
    const outcome = catchUp.historyReceived(reply(80, 31));

    // Assess
    expect(outcome).toEqual({ missed: false, lost: 0 });
  });

  it('asks again after the wait the server names when it refuses the request, and after growing waits otherwise', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));
    catchUp.connectionLost();
    catchUp.openingRequest(undefined);

    // Act
    const accounted = catchUp.refused(2_000);
    vi.advanceTimersByTime(2_000);
    catchUp.refused();
    vi.advanceTimersByTime(1_000);
    catchUp.refused();
    vi.advanceTimersByTime(1_999);
    const beforeSecondWait = requests.length;
    vi.advanceTimersByTime(1);

    // Assess
    expect(accounted).toBe(true);
    expect(beforeSecondWait).toBe(2);
    expect(requests).toEqual([
      { action: 'history', after: 10 },
      { action: 'history', after: 10 },
      { action: 'history', after: 10 },
    ]);
  });

  it('does not account for a refusal when no request awaits its reply', () => {
    // Prepare
    const { catchUp } = startCatchUp();

    // Assess
    expect(catchUp.refused(1_000)).toBe(false);
  });

  it('stops waiting when the connection is lost: the next open asks', () => {
    // Prepare
    const { catchUp, requests } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));
    catchUp.received(12, true);

    // Act
    catchUp.connectionLost();
    vi.advanceTimersByTime(10_000);

    // Assess
    expect(requests).toEqual([]);
  });

  it('sends no gap request while no socket is open', () => {
    // Prepare
    const { catchUp, requests, socket } = startCatchUp();
    catchUp.openingRequest(undefined);
    catchUp.historyReceived(reply(10, 1));
    socket.open = false;

    // Act
    catchUp.received(12, true);
    vi.advanceTimersByTime(1_500);

    // Assess
    expect(requests).toEqual([]);
    expect(catchUp.catchingUp).toBe(false);
  });
});
