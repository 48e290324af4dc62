/**
 * Both PostToConnection paths of the backend (the SDK command and the signed request) against
 * the local `@connections` API with real `ws` clients: each must deliver the same bytes and raise
 * the same errors, which the broadcaster classifies the same way.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySendFailure } from '../../../../backend/src/broadcast/broadcaster.ts';
import type { PostToConnection } from '../../../../backend/src/broadcast/poster.ts';
import { sdkPoster, signedPoster } from '../../../../backend/src/broadcast/poster.ts';
import { LOCAL_CREDENTIALS } from '../../src/dynamodb.ts';
import { type LocalStack, startLocalStack } from '../../src/stack.ts';
import { connectTagged, type EventSink, FIXTURES, startEventSink } from '../support/helpers.ts';

let sink: EventSink;
let stack: LocalStack;

beforeAll(async () => {
  sink = await startEventSink();
  stack = await startLocalStack({
    handlerPath: FIXTURES.recordingHandler,
    siteDir: FIXTURES.site,
    env: { EVENT_SINK_URL: sink.url },
    log: () => {},
  });
});

afterAll(async () => {
  await stack?.stop();
  await sink?.stop();
});

type PosterFactory = (endpoint: string) => PostToConnection;

const client = (endpoint: string): ApiGatewayManagementApiClient =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });

const posters: [string, PosterFactory][] = [
  ['the SDK command', (endpoint) => sdkPoster(client(endpoint))],
  [
    'the signed request',
    (endpoint) =>
      signedPoster({ client: client(endpoint), endpoint, maxSockets: 4, timeoutMs: 5000 }),
  ],
];

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the post succeeded');
}

describe.each(posters)('PostToConnection through %s', (label, posterFor) => {
  it('delivers the bytes as one text frame, to an id that needs URL encoding', async () => {
    // Prepare
    const { client: receiver, connectionId } = await connectTagged(
      stack.websocketUrl,
      sink,
      `ok-${label}`,
    );
    const data = new TextEncoder().encode('{"type":"message","message":"héllo / ünïcode"}');

    // Act
    await posterFor(stack.managementEndpoint)(connectionId, data);

    // Assess: ids end in "=", which the path must carry as %3D
    expect(connectionId).toMatch(/=$/);
    expect(await receiver.frame(0)).toBe('{"type":"message","message":"héllo / ünïcode"}');
    await receiver.close();
  });

  it('raises GoneException (410) for a closed connection', async () => {
    const { client: receiver, connectionId } = await connectTagged(
      stack.websocketUrl,
      sink,
      `gone-${label}`,
    );
    await receiver.close();

    const error = await failureOf(
      posterFor(stack.managementEndpoint)(connectionId, new Uint8Array([123, 125])),
    );

    expect(error).toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    expect(classifySendFailure(error)).toBe('gone');
  });

  it('raises ForbiddenException (403) for an endpoint with the wrong stage', async () => {
    const wrongStage = stack.managementEndpoint.replace(/\/[^/]+$/, '/nostage');

    const error = await failureOf(posterFor(wrongStage)('abc=', new Uint8Array([123, 125])));

    expect(error).toMatchObject({ name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } });
    expect(classifySendFailure(error)).toBe('forbidden');
  });

  it('raises PayloadTooLargeException (413) for Data over 128 KiB', async () => {
    const { client: receiver, connectionId } = await connectTagged(
      stack.websocketUrl,
      sink,
      `big-${label}`,
    );

    const error = await failureOf(
      posterFor(stack.managementEndpoint)(connectionId, new Uint8Array(128 * 1024 + 1).fill(97)),
    );

    expect(error).toMatchObject({
      name: 'PayloadTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
    expect(classifySendFailure(error)).toBe('failed');
    await receiver.close();
  });
});
