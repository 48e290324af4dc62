import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeliveryState, Outbox, refusalPasses } from '../src/outbox.ts';

/** An outbox on a fake socket that the test opens, closes and makes refuse frames. */
function startOutbox(...clientIds: string[]) {
  const wire: string[] = [];
  const events: string[] = [];
  const socket = { takes: true, throws: false };
  const outbox = new Outbox({
    transmit: (frame) => {
      if (socket.throws) throw new Error('InvalidStateError');
      if (!socket.takes) return false;
      wire.push(frame);
      return true;
    },
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    listener: {
      deliveryChanged: (clientId: string, state: DeliveryState) =>
        events.push(`${clientId} ${state.kind}${state.kind === 'failed' ? ` ${state.code}` : ''}`),
    },
  });
  for (const clientId of clientIds) outbox.enqueue({ clientId, frame: `frame-${clientId}` });
  return { outbox, wire, events, socket };
}

describe('Outbox', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends waiting messages in the order they were written', () => {
    // Prepare
    const { outbox, wire } = startOutbox('a', 'b', 'c');

    // Act
    outbox.opened();
    outbox.acknowledged('a');
    outbox.acknowledged('b');
    outbox.acknowledged('c');

    // Assess
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-c']);
    expect(outbox.size).toBe(0);
  });

  it('sends the next message only once the one before is acknowledged', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b');

    // Act
    outbox.opened();
    const beforeAck = [...wire];
    outbox.acknowledged('a');

    // Assess
    expect(beforeAck).toEqual(['frame-a']);
    expect(wire).toEqual(['frame-a', 'frame-b']);
    expect(events).toEqual(['a sending', 'b sending', 'a sent']);
  });

  it('keeps what the socket would not take, and sends it next time without repeating the rest', () => {
    // Prepare
    const { outbox, wire, socket } = startOutbox('a', 'b', 'c');
    outbox.opened();
    outbox.acknowledged('a');

    // Act: the socket closes while b is still to be answered; the next socket takes b and c
    socket.takes = false;
    outbox.closed();
    outbox.opened();
    socket.takes = true;
    outbox.opened();
    outbox.acknowledged('b');
    outbox.acknowledged('c');

    // Assess
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-b', 'frame-c']);
    expect(outbox.size).toBe(0);
  });

  it('keeps a message whose send threw, so it is not lost', () => {
    // Prepare
    const { outbox, socket } = startOutbox('a');
    socket.throws = true;

    // Act
    const open = (): void => outbox.opened();

    // Assess
    expect(open).toThrow('InvalidStateError');
    expect(outbox.size).toBe(1);
  });

  it('sends the unacknowledged message again on the next socket, with the same frame, and nothing acknowledged', () => {
    // Prepare
    const { outbox, wire } = startOutbox('a', 'b');
    outbox.opened();
    outbox.acknowledged('a');

    // Act: the socket drops before b's ack
    outbox.closed();
    outbox.opened();
    outbox.acknowledged('b');

    // Assess
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-b']);
  });

  it('says whether a message went out at once: only when it is first in line and a socket is open', () => {
    // Prepare
    const { outbox } = startOutbox();

    // Act
    const whileClosed = outbox.enqueue({ clientId: 'a', frame: 'frame-a' });
    outbox.opened();
    const behindA = outbox.enqueue({ clientId: 'b', frame: 'frame-b' });
    outbox.acknowledged('a');
    outbox.acknowledged('b');
    const alone = outbox.enqueue({ clientId: 'c', frame: 'frame-c' });

    // Assess
    expect([whileClosed, behindA, alone]).toEqual([false, false, true]);
  });

  it('sends a message again after the wait a rate limit names, without failing it', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b');
    outbox.opened();

    // Act
    outbox.refused('a', { code: 'rate_limited', retryAfterMs: 1_500 });
    vi.advanceTimersByTime(1_499);
    const beforeTheWait = wire.length;
    vi.advanceTimersByTime(1);

    // Assess
    expect(beforeTheWait).toBe(1);
    expect(wire).toEqual(['frame-a', 'frame-a']);
    expect(events).not.toContain('a failed rate_limited');
  });

  it('fails a message the server refuses for good, sends the next, and sends it again on retry with its own frame', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b');
    outbox.opened();

    // Act
    outbox.refused('a', { code: 'message_too_long' });
    const sizeAfterRefusal = outbox.size;
    outbox.acknowledged('b');
    const retried = outbox.retry('a');
    outbox.acknowledged('a');

    // Assess
    expect(sizeAfterRefusal).toBe(1);
    expect(retried).toBe(true);
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-a']);
    expect(events).toEqual([
      'a sending',
      'b sending',
      'a failed message_too_long',
      'b sent',
      'a sending',
      'a sent',
    ]);
    expect(outbox.retry('a')).toBe(false);
  });

  it('sends an unanswered message again after growing waits, then fails it and sends the next', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b');
    outbox.opened();

    // Act: no answer ever comes for a
    const attemptsAt: number[] = [];
    for (let second = 1; second <= 95; second += 1) {
      const before = wire.length;
      vi.advanceTimersByTime(1_000);
      if (wire.length > before) attemptsAt.push(second);
    }

    // Assess: attempts at 5, 15, 35 and 65 s after the first; failed at 95 s, then b goes
    expect(attemptsAt).toEqual([5, 15, 35, 65, 95]);
    expect(wire).toEqual(['frame-a', 'frame-a', 'frame-a', 'frame-a', 'frame-a', 'frame-b']);
    expect(events).toContain('a failed no_answer');
  });

  it('marks a failed message sent when an earlier attempt of it turns out accepted', () => {
    // Prepare
    const { outbox, events } = startOutbox('a');
    outbox.opened();
    outbox.refused('a', { code: 'message_too_long' });

    // Act
    outbox.acknowledged('a');
    outbox.acknowledged('a');

    // Assess
    expect(events).toEqual(['a sending', 'a failed message_too_long', 'a sent']);
    expect(outbox.retry('a')).toBe(false);
  });

  it('retries after a server failure with growing waits and fails the message after five attempts', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a');
    outbox.opened();

    // Act: every attempt meets an internal error
    const waits: number[] = [];
    for (let attempt = 1; attempt < 5; attempt += 1) {
      outbox.refused('a', { code: 'internal_error' });
      const before = wire.length;
      let waited = 0;
      while (wire.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
    }
    outbox.refused('a', { code: 'internal_error' });

    // Assess
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(wire).toHaveLength(5);
    expect(events.at(-1)).toBe('a failed internal_error');
  });

  it('ignores a refusal of an attempt of a message settled since, and a repeated ack', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b');
    outbox.opened();
    outbox.acknowledged('a');

    // Act
    outbox.refused('a', { code: 'internal_error' });
    outbox.acknowledged('a');
    vi.advanceTimersByTime(2_000);

    // Assess
    expect(wire).toEqual(['frame-a', 'frame-b']);
    expect(events).toEqual(['a sending', 'b sending', 'a sent']);
  });

  it('sends the awaited message again soon when an error frame names none, and says whether one was awaited', () => {
    // Prepare
    const { outbox, wire } = startOutbox('a');

    // Act
    const whileNothingWent = outbox.answerLost();
    outbox.opened();
    const whileAwaited = outbox.answerLost();
    vi.advanceTimersByTime(1_000);

    // Assess
    expect([whileNothingWent, whileAwaited]).toEqual([false, true]);
    expect(wire).toEqual(['frame-a', 'frame-a']);
  });

  it('counts a message as sent, and every later one as soon as it goes, on a server that acknowledges nothing', () => {
    // Prepare
    const { outbox, wire, events } = startOutbox('a', 'b', 'c');
    outbox.opened();

    // Act: the history reply says the server is of an older protocol
    outbox.serverAcknowledges(false);
    outbox.enqueue({ clientId: 'd', frame: 'frame-d' });

    // Assess
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-c', 'frame-d']);
    expect(events.filter((event) => event.endsWith('sent'))).toEqual([
      'a sent',
      'b sent',
      'c sent',
      'd sent',
    ]);
    expect(outbox.size).toBe(0);
  });

  it('waits for the server again once it says it acknowledges', () => {
    // Prepare
    const { outbox, wire } = startOutbox();
    outbox.opened();
    outbox.serverAcknowledges(false);

    // Act
    outbox.serverAcknowledges(true);
    outbox.enqueue({ clientId: 'a', frame: 'frame-a' });
    outbox.enqueue({ clientId: 'b', frame: 'frame-b' });

    // Assess
    expect(wire).toEqual(['frame-a']);
    expect(outbox.size).toBe(2);
  });

  it('forgets failed messages when asked (the page left their room)', () => {
    // Prepare
    const { outbox } = startOutbox('a');
    outbox.opened();
    outbox.refused('a', { code: 'message_too_long' });

    // Act
    outbox.discardFailed();

    // Assess
    expect(outbox.retry('a')).toBe(false);
  });
});

describe('refusalPasses', () => {
  it.each([
    ['rate_limited', true],
    ['internal_error', true],
    ['message_too_long', false],
    ['client_id_invalid', false],
    ['gateway', false],
  ])('%s passes: %s', (code, passes) => {
    // Assess
    expect(refusalPasses(code)).toBe(passes);
  });
});
