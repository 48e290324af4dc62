/**
 * The function's Embedded Metric Format records, through a real stack: a container writes them to
 * stdout, the stack prints one compact line for each instead of the JSON, and `stack.metrics()`
 * adds them up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/stack.ts';
import { emfLine } from '../support/emf.ts';
import { FIXTURES, TestClient } from '../support/helpers.ts';
import { startTestStack } from '../support/stack-setup.ts';

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
