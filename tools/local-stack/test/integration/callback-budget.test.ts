/**
 * The account's callback budget (`callbackRate`, `--callback-rate`) through the real
 * `ApiGatewayManagementApiClient`: posts past it are refused as AWS refuses them, reach nobody,
 * and are counted in `stack.metrics()`.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { managementClient } from '../support/helpers.ts';
import { useRecordingStack } from '../support/stack-setup.ts';

// Two posts a second with a burst of one: a volley of posts at once is mostly over the budget.
const recording = useRecordingStack({ callbackRate: 2 });

describe('the callback budget', () => {
  it('refuses posts past it with 429 LimitExceededException and counts them', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('budget');
    // The SDK would retry a throttled post; here each refusal must be seen.
    const impatient = managementClient(recording.stack, undefined, { maxAttempts: 1 });
    // Act: ten posts at once
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        impatient.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: `${index}` }),
        ),
      ),
    );
    impatient.destroy();
    // Assess: at least the burst got through, the rest was refused as AWS refuses it...
    const delivered = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const refusals = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected'
        ? [outcome.reason as Error & { $metadata?: { httpStatusCode?: number } }]
        : [],
    );
    expect(delivered).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    for (const refusal of refusals) {
      expect(refusal.name).toBe('LimitExceededException');
      expect(refusal.$metadata?.httpStatusCode).toBe(429);
    }
    // ...only the accepted posts reached the client, and the refusals are counted.
    await client.frame(delivered - 1);
    await client.close();
    expect(client.received).toHaveLength(delivered);
    expect(recording.stack.metrics().callbackThrottled).toBe(refusals.length);
  });
});
