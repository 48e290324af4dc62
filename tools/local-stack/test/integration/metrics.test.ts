/**
 * The function's Embedded Metric Format records, through a real stack: a container writes them to
 * stdout, the stack prints one compact line for each instead of the JSON, and `stack.metrics()`
 * adds them up; the real bundle's broadcast lines name their room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/stack.ts';
import { chatOf, joinRoom, sendAndWaitForAck, waitUntil } from '../support/chat-clients.ts';
import { emfLine } from '../support/emf.ts';
import { FIXTURES, TestClient } from '../support/helpers.ts';
import { startTestStack, useLocalStack } from '../support/stack-setup.ts';

const logged: string[] = [];
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    handlerPath: FIXTURES.emfHandler,
    log: (line) => logged.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("the function's metrics, locally", () => {
  it('prints one line per record instead of its JSON, and sums every metric', async () => {
    // Prepare
    const record = emfLine(
      {
        Delivered: { value: 2 },
        Gone: { value: 1 },
        DeadLettered: { value: 0 },
        TimeToLastDelivery: { value: 35, unit: 'Milliseconds' },
      },
      { room: 'lobby' },
    );
    const logLine = '{"level":"info","route":"$default","outcome":"broadcast"}';
    const client = await TestClient.connect(stack.websocketUrl);
    // Act
    client.sendJson({ print: [logLine, record] });
    client.sendJson({
      print: [emfLine({ Delivered: { value: 5 }, OpenConnections: { value: 3 } })],
    });
    await expect.poll(() => stack.metrics().records).toBe(2);
    await client.close();
    // Assess
    expect(logged).toContainEqual(
      expect.stringMatching(/ broadcast {2}room=lobby delivered=2 gone=1 deadLettered=0 in 35 ms$/),
    );
    expect(logged).toContainEqual(
      expect.stringMatching(/ broadcast {2}delivered=5 openConnections=3$/),
    );
    expect(logged).toContain(logLine);
    expect(logged.filter((line) => line.includes('"_aws"'))).toEqual([]);
    const metrics = stack.metrics();
    expect(metrics.sums).toEqual({
      Delivered: 7,
      Gone: 1,
      DeadLettered: 0,
      TimeToLastDelivery: 35,
      OpenConnections: 3,
    });
    expect(metrics.timeToLastDelivery).toEqual([35]);
    expect(metrics.latest.OpenConnections).toBe(3);
  });

  it('starts from zero after resetMetrics', () => {
    // Act
    stack.resetMetrics();
    // Assess
    expect(stack.metrics()).toEqual({
      records: 0,
      sums: {},
      latest: {},
      timeToLastDelivery: [],
      callbackThrottled: 0,
    });
  });
});

describe("the real function's metrics, locally", () => {
  const printed: string[] = [];
  const bundle = useLocalStack({ log: (line) => printed.push(line) });

  it('prints each broadcast with its room, which the record carries as a property', async () => {
    // Prepare
    const [sender, listener] = [
      await joinRoom(bundle.stack, 'printed'),
      await joinRoom(bundle.stack, 'printed'),
    ];

    // Act
    await sendAndWaitForAck(sender, 'counted', 'printed-1');
    await waitUntil(() => chatOf(listener).length === 1, 'the message');
    await waitUntil(
      () => bundle.stack.metrics().sums.MessagesAccepted === 1,
      "the accepting invocation's record",
    );

    // Assess
    expect(printed).toContainEqual(
      expect.stringMatching(/ broadcast {2}room=printed .*messagesAccepted=1 .*delivered=1 /),
    );
    await Promise.all([sender.close(), listener.close()]);
  });
});
