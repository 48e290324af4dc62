/**
 * The function's metrics: Powertools writes one Embedded Metric Format record per invocation,
 * as one line of pure JSON on stdout (never through the runtime's console, which Lambda's JSON
 * log format would wrap), with only what was recorded.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectInvocationMetrics, createEmfMetrics } from '../src/metrics.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures what is written to stdout while `act` runs. */
function stdoutOf(act: () => void): string {
  const chunks: string[] = [];
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
      return true;
    });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

describe('the EMF metrics', () => {
  it("writes one line of pure EMF JSON per invocation, summing each count, with the service's dimension", () => {
    // Prepare
    const metrics = createEmfMetrics({ serviceName: 'awsome-chat-chat' });
    const consoleLog = vi.spyOn(console, 'log');
    metrics.count('delivered', 3);
    metrics.count('delivered', 4);
    metrics.count('deadLettered', 0);
    metrics.timeToLastDelivery(120.4);
    metrics.timeToLastDelivery(340);

    // Act
    const output = stdoutOf(() => metrics.publish());

    // Assess
    const lines = output.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    expect(record._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'AWSomeChat',
        Dimensions: [['service']],
        Metrics: expect.arrayContaining([
          { Name: 'Delivered', Unit: 'Count' },
          { Name: 'DeadLettered', Unit: 'Count' },
          { Name: 'TimeToLastDelivery', Unit: 'Milliseconds' },
        ]),
      },
    ]);
    expect(record).toMatchObject({
      service: 'awsome-chat-chat',
      Delivered: 7,
      DeadLettered: 0,
      TimeToLastDelivery: [120, 340],
    });
    expect(consoleLog).not.toHaveBeenCalled();
  });

  it('writes nothing for an invocation that recorded nothing, and starts afresh after each', () => {
    // Prepare
    const metrics = createEmfMetrics({ serviceName: 'fn' });
    metrics.count('messagesAccepted', 1);
    const first = stdoutOf(() => metrics.publish());

    // Act
    const second = stdoutOf(() => metrics.publish());

    // Assess
    expect(JSON.parse(first)).toMatchObject({ MessagesAccepted: 1 });
    expect(second).toBe('');
  });

  it('writes the rooms the invocation broadcast to as a property of the record, never a dimension', () => {
    // Prepare
    const metrics = createEmfMetrics({ serviceName: 'awsome-chat-chat' });
    metrics.count('delivered', 2);
    metrics.room('lobby');
    metrics.room('support');
    metrics.room('lobby');

    // Act
    const first = JSON.parse(stdoutOf(() => metrics.publish()));
    metrics.count('delivered', 1);
    const second = JSON.parse(stdoutOf(() => metrics.publish()));

    // Assess: the alarms' dimension stays `service` alone, and the next record starts afresh
    expect(first.room).toBe('lobby,support');
    expect(first._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(first._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'Delivered', Unit: 'Count' }]);
    expect(second).not.toHaveProperty('room');
  });

  it('keeps the last open-connections value of an invocation as its gauge', () => {
    // Prepare
    const published: unknown[] = [];
    const metrics = collectInvocationMetrics((values) => published.push(values));
    metrics.openConnections(4);
    metrics.openConnections(5);

    // Act
    metrics.publish();

    // Assess
    expect(published).toEqual([{ counts: new Map(), timesToLastDelivery: [], openConnections: 5 }]);
  });
});
