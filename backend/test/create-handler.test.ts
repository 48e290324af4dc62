/**
 * What the dispatcher itself does, whatever the route: events it cannot route are answered with
 * a logged error and touch nothing.
 */
import { describe, expect, it } from 'vitest';
import { webSocketEvent } from './support/events.ts';
import { rigPerTest } from './support/mocks.ts';

const setUp = rigPerTest();

describe('unknown route', () => {
  it('answers with a logged error and touches nothing', async () => {
    // Prepare
    const testRig = setUp();

    // Act
    const response = await testRig.handler(webSocketEvent('sendmessage'));

    // Assess
    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([
      { level: 'error', route: 'sendmessage', outcome: 'unknown_route' },
    ]);
    expect(testRig.dynamoDb.calls()).toHaveLength(0);
    expect(testRig.managementApi.calls()).toHaveLength(0);
  });

  it('does not mistake inherited object keys for routes', async () => {
    const testRig = setUp();

    const response = await testRig.handler(webSocketEvent('toString'));

    expect(response).toEqual({ statusCode: 400 });
  });
});

describe('unknown event', () => {
  it('answers an event it does not know with a logged error', async () => {
    const testRig = setUp();

    const response = await testRig.handler({ detail: 'x' } as never);

    expect(response).toEqual({ statusCode: 400 });
    expect(testRig.logs).toMatchObject([{ outcome: 'unknown_event', level: 'error' }]);
  });
});
