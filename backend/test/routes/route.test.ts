/**
 * The management endpoint a route posts through (managementEndpointFor), as the handler uses it.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { managementEndpointFor } from '../../src/routes/route.ts';
import { chatFrame, DOMAIN_NAME, STAGE, webSocketEvent } from '../support/events.ts';
import { rigPerTest } from '../support/mocks.ts';

const setUp = rigPerTest();

describe('management endpoint', () => {
  it('is derived from the event when APIGW_ENDPOINT is unset, and the client is reused', async () => {
    // Prepare
    const testRig = setUp();
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'one' }) }));
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'two' }) }));

    // Assess
    expect(testRig.clientEndpoints).toEqual([`https://${DOMAIN_NAME}/${STAGE}`]);
  });

  it('comes from APIGW_ENDPOINT when it is set', async () => {
    // Prepare
    const testRig = setUp({ apigwEndpoint: 'http://127.0.0.1:4001/prod' });
    testRig.dynamoDb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await testRig.handler(webSocketEvent('$default', { body: chatFrame({ message: 'hi' }) }));

    // Assess
    expect(testRig.clientEndpoints).toEqual(['http://127.0.0.1:4001/prod']);
  });
});

describe('managementEndpointFor', () => {
  it("is the API's own domain with the stage in the path, which the management API needs", () => {
    expect(managementEndpointFor(webSocketEvent('$default'), undefined)).toBe(
      `https://${DOMAIN_NAME}/${STAGE}`,
    );
  });

  it('is the configured endpoint as it is, whatever the event says', () => {
    expect(managementEndpointFor(webSocketEvent('$default'), 'https://chat.example.com/v1')).toBe(
      'https://chat.example.com/v1',
    );
  });
});
