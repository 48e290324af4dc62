/**
 * Replies to the sender alone: a frame posted to the sender (replyToSender), and the answer to a
 * frame whose read failed (replyReadFailed), which tells the sender what did not happen and never
 * why.
 */
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { replyReadFailed, replyToSender } from '../../src/routes/reply.ts';
import { SENDER } from '../support/events.ts';
import { decodePosted, forbiddenError, goneError } from '../support/mocks.ts';

// The mock patches the client class for every instance: reset between tests, removed after.
const managementApi = mockClient(ApiGatewayManagementApiClient);
afterEach(() => managementApi.reset());
afterAll(() => managementApi.restore());

/** A management API client whose calls the mock answers. */
function managementClient(): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    region: 'eu-west-1',
    endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** What each PostToConnection carried: its recipient and its frame, parsed. */
function posts(): [string | undefined, unknown][] {
  return managementApi
    .commandCalls(PostToConnectionCommand)
    .map((call) => [call.args[0].input.ConnectionId, decodePosted(call.args[0].input.Data)]);
}

describe('replyToSender', () => {
  it('posts the frame to the sender alone, as UTF-8, and says it was delivered', async () => {
    // Prepare
    managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const delivered = await replyToSender(
      managementClient(),
      SENDER,
      '{"type":"presence","room":"café","count":2}',
    );

    // Assess
    expect(delivered).toBe(true);
    expect(posts()).toEqual([[SENDER, { type: 'presence', room: 'café', count: 2 }]]);
  });

  it.each([
    ['a sender that left meanwhile (410)', goneError],
    ['a management API that refuses the post (403)', forbiddenError],
  ])('answers false, without throwing, for %s', async (_, failure) => {
    // Prepare
    managementApi.on(PostToConnectionCommand).rejects(failure());

    // Act
    const delivered = await replyToSender(managementClient(), SENDER, '{"type":"presence"}');

    // Assess
    expect(delivered).toBe(false);
  });
});

describe('replyReadFailed', () => {
  const failure = (error: unknown) => ({
    room: 'support',
    error,
    outcome: 'history_failed',
    message: 'The history could not be read. Please reconnect.',
  });

  it('tells the sender what did not happen and logs the error by its name only', async () => {
    // Prepare
    managementApi.on(PostToConnectionCommand).resolves({});
    const refusal = new Error('ProvisionedThroughputExceeded on table rooms');
    refusal.name = 'ProvisionedThroughputExceededException';

    // Act
    const outcome = await replyReadFailed(managementClient(), SENDER, failure(refusal));

    // Assess
    expect(posts()).toEqual([
      [
        SENDER,
        {
          type: 'error',
          code: 'internal_error',
          message: 'The history could not be read. Please reconnect.',
        },
      ],
    ]);
    expect(outcome).toEqual({
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'history_failed',
      details: { room: 'support', error: 'ProvisionedThroughputExceededException', replied: true },
    });
    expect(JSON.stringify(outcome)).not.toContain('table rooms');
  });

  it('still answers 500 when the sender cannot be told, and says it was not', async () => {
    // Prepare
    managementApi.on(PostToConnectionCommand).rejects(goneError());

    // Act
    const outcome = await replyReadFailed(managementClient(), SENDER, failure(new Error('x')));

    // Assess
    expect(outcome.response).toEqual({ statusCode: 500 });
    expect(outcome.details).toMatchObject({ replied: false });
  });

  it('names a thrown value that is not an Error as UnknownError, never by its text', async () => {
    // Prepare
    managementApi.on(PostToConnectionCommand).resolves({});

    // Act
    const outcome = await replyReadFailed(
      managementClient(),
      SENDER,
      failure('secret text of a thrown string'),
    );

    // Assess
    expect(outcome.details).toMatchObject({ error: 'UnknownError' });
    expect(JSON.stringify(outcome)).not.toContain('secret');
  });
});
