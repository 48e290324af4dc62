import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ChatHandler } from '../src/create-handler.ts';
import { createInvocationClock } from '../src/invocation-deadline.ts';
import { withInvocationScope } from '../src/invocation-scope.ts';

const event: SQSEvent = { Records: [] };

describe('the invocation scope', () => {
  it("gives the SDK clients the invocation's deadline while it runs, and none after", async () => {
    // Prepare
    const clock = createInvocationClock();
    let seen = 0;
    const inner = (async () => {
      seen = clock.remainingTimeMs();
      return { batchItemFailures: [] };
    }) as unknown as ChatHandler;
    const handler = withInvocationScope(inner, { clock });

    // Act
    await handler(event, { getRemainingTimeInMillis: () => 4321, awsRequestId: 'r' });

    // Assess
    expect(seen).toBe(4321);
    expect(clock.remainingTimeMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('runs its end once however the invocation ends', async () => {
    // Prepare
    const clock = createInvocationClock();
    let ended = 0;
    const failing = (async () => {
      throw new Error('boom');
    }) as unknown as ChatHandler;
    const handler = withInvocationScope(failing, { clock, onEnd: () => ended++ });

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toThrow('boom');
    expect(ended).toBe(1);
  });
});
