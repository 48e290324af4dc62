import { describe, expect, it } from 'vitest';
import {
  DeliveryTracker,
  decodeBenchMessage,
  encodeBenchMessage,
} from '../../src/load/delivery-tracker.ts';

describe('bench message text', () => {
  it('round-trips run id, sequence and send time', () => {
    // Prepare
    const message = { runId: 'r1', sequence: 42, sentAtMs: 1_732_690_000_123.456 };

    // Act
    const decoded = decodeBenchMessage(encodeBenchMessage(message));

    // Assess
    expect(decoded).toEqual(message);
  });

  it.each(['hello', 'bench r1 x 12', 'bench r1 1', 'bench r1 1 2 3', ''])(
    'ignores %j, which is not a benchmark message',
    (text) => {
      // Act / Assess
      expect(decodeBenchMessage(text)).toBeUndefined();
    },
  );
});

describe('DeliveryTracker', () => {
  it('times a message until the last other client received it', () => {
    // Prepare: 4 clients, client 0 sends at t=1000
    const tracker = new DeliveryTracker(4);
    tracker.registerSent(7, 0, 1000, true);

    // Act
    const outcomes = [
      tracker.recordReceipt(7, 1, 1010),
      tracker.recordReceipt(7, 3, 1020),
      tracker.recordReceipt(7, 2, 1050),
    ];

    // Assess
    expect(outcomes).toEqual(['first', 'first', 'completed']);
    expect(tracker.allReceived.summary().maxMs).toBeCloseTo(50, 1);
    expect(tracker.allReceived.summary().count).toBe(1);
    expect(tracker.eachReceipt.summary().count).toBe(3);
    expect(tracker.counts()).toMatchObject({
      messagesSent: 1,
      messagesComplete: 1,
      receiptsLost: 0,
    });
  });

  it('counts duplicates, receipts by the sender and unknown messages apart', () => {
    // Prepare
    const tracker = new DeliveryTracker(3);
    tracker.registerSent(1, 2, 0, true);

    // Act
    const outcomes = [
      tracker.recordReceipt(1, 0, 5),
      tracker.recordReceipt(1, 0, 6),
      tracker.recordReceipt(1, 2, 7),
      tracker.recordReceipt(99, 1, 8),
    ];

    // Assess
    expect(outcomes).toEqual(['first', 'duplicate', 'self', 'unknown']);
    expect(tracker.counts()).toEqual({
      messagesSent: 1,
      messagesComplete: 0,
      receiptsLost: 1,
      receiptsDuplicated: 1,
      receiptsBySender: 1,
      receiptsUnknown: 1,
    });
  });

  it('leaves warm-up messages out of the figures', () => {
    // Prepare
    const tracker = new DeliveryTracker(2);
    tracker.registerSent(0, 0, 0, false);

    // Act
    tracker.recordReceipt(0, 1, 500);

    // Assess
    expect(tracker.counts().messagesSent).toBe(0);
    expect(tracker.allReceived.summary().count).toBe(0);
  });

  it('resolves a wait when the message completes, and false after the timeout', async () => {
    // Prepare
    const tracker = new DeliveryTracker(2);
    tracker.registerSent(1, 0, 0, true);
    tracker.registerSent(2, 0, 0, true);

    // Act
    const delivered = tracker.waitUntilDelivered(1, 10_000);
    tracker.recordReceipt(1, 1, 3);
    const timedOut = tracker.waitUntilDelivered(2, 1);

    // Assess
    await expect(delivered).resolves.toBe(true);
    await expect(timedOut).resolves.toBe(false);
    expect(tracker.counts().receiptsLost).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    // Prepare
    const tracker = new DeliveryTracker(2);
    tracker.registerSent(1, 0, 0, true);
    const controller = new AbortController();

    // Act
    const waiting = tracker.waitUntilDelivered(1, 60_000, controller.signal);
    controller.abort();

    // Assess
    await expect(waiting).resolves.toBe(false);
  });

  it('forgets messages cut short by Ctrl-C but keeps those past their timeout as lost', () => {
    // Prepare: message 1 sent long ago (timed out), message 2 just now
    const tracker = new DeliveryTracker(3);
    tracker.registerSent(1, 0, 0, true);
    tracker.registerSent(2, 0, 9_990, true);
    tracker.recordReceipt(2, 1, 9_995);

    // Act
    const discarded = tracker.discardInFlight(10_000, 1_000);

    // Assess
    expect(discarded).toBe(1);
    expect(tracker.counts()).toMatchObject({ messagesSent: 1, receiptsLost: 2 });
  });
});
