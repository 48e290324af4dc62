import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  estimateCost,
  meteredMessages,
  NO_USAGE,
  readUsage,
  recordUsage,
  UsageMeter,
} from '../src/usage.ts';

describe('usage', () => {
  it('meters frames in 32 KB units and connections in started minutes', () => {
    // Prepare
    const meter = new UsageMeter();
    // Act
    meter.handshake(true);
    meter.sent(100);
    meter.sent(32 * 1024 + 1);
    meter.received(10);
    meter.connection(61_000);
    // Assess
    expect(meteredMessages(0)).toBe(1);
    expect(meter.usage).toEqual({
      handshakes: 1,
      signedInHandshakes: 1,
      connections: 1,
      connectionMinutes: 2,
      messagesSent: 3,
      messagesReceived: 1,
    });
  });

  it("adds the test files' tallies up through the run's file", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'usage-test-'));
    const file = join(dir, 'usage.jsonl');
    const env = { BEHAVIOUR_USAGE_FILE: file };
    try {
      // Act
      await recordUsage({ ...NO_USAGE, messagesSent: 2, connections: 1 }, env);
      await recordUsage({ ...NO_USAGE, messagesSent: 3, connectionMinutes: 4 }, env);
      // Assess
      expect(await readUsage(file)).toEqual({
        ...NO_USAGE,
        messagesSent: 5,
        connections: 1,
        connectionMinutes: 4,
      });
      expect(await readUsage(join(dir, 'missing'))).toEqual(NO_USAGE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prices a million messages, a million connection minutes and a million invocations', () => {
    // Act
    const messages = estimateCost({
      ...NO_USAGE,
      messagesSent: 500_000,
      messagesReceived: 500_000,
    });
    const minutes = estimateCost({ ...NO_USAGE, connectionMinutes: 1_000_000 });
    const invocations = estimateCost({ ...NO_USAGE, handshakes: 1_000_000 });
    // Assess: $1 and $0.25 at API Gateway; $0.20 and 100 ms at 1 GB on arm64 at Lambda
    expect(messages.apiGatewayDollars).toBeCloseTo(1.0, 6);
    expect(minutes.apiGatewayDollars).toBeCloseTo(0.25, 6);
    expect(invocations.lambdaInvocations).toBe(1_000_000);
    expect(invocations.lambdaDollars).toBeCloseTo(0.2 + 100_000 * 0.0000133334, 6);
  });
});
