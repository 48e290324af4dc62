/**
 * The `@connections` management API through the real `ApiGatewayManagementApiClient`: the SDK
 * must see the same statuses, bodies and error names it sees on AWS.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../stack.ts';
import { connectTagged, type EventSink, FIXTURES, isEvent, startEventSink } from './helpers.ts';

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

function managementClient(
  endpoint: string = stack.managementEndpoint,
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The rejection of `promise`, for asserting on SDK errors. */
async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('PostToConnection', () => {
  it.each([
    ['with the stage', (): string => stack.managementEndpoint],
    ['with a trailing slash', (): string => `${stack.managementEndpoint}/`],
    ['without the stage', (): string => stack.managementEndpoint.replace(/\/prod$/, '')],
  ])('delivers a text frame through an endpoint %s', async (_name, endpoint) => {
    // Prepare
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, `post-${_name}`);
    // Act
    const output = await managementClient(endpoint()).send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'héllo from the SDK' }),
    );
    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(await client.frame(0)).toBe('héllo from the SDK');
    expect(typeof (await client.frame(0))).toBe('string');
    await client.close();
  });

  it('raises GoneException for an unknown connection', async () => {
    const error = await rejectionOf(
      managementClient().send(
        new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' }),
      ),
    );
    expect(error.name).toBe('GoneException');
    expect(error.$metadata?.httpStatusCode).toBe(410);
  });

  it('raises PayloadTooLargeException for Data over 128 KiB', async () => {
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'too-large');
    const error = await rejectionOf(
      managementClient().send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(131_073) }),
      ),
    );
    expect(error.name).toBe('PayloadTooLargeException');
    expect(error.$metadata?.httpStatusCode).toBe(413);
    await managementClient().send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(131_072) }),
    );
    expect((await client.frame(0)).length).toBe(131_072);
    await client.close();
  });

  it('raises ForbiddenException for an endpoint with the wrong stage', async () => {
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'wrong-stage');
    const wrongStage = stack.managementEndpoint.replace(/\/prod$/, '/dev');
    const error = await rejectionOf(
      managementClient(wrongStage).send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' }),
      ),
    );
    expect(error.name).toBe('ForbiddenException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    await client.close();
  });

  it('accepts %40 for @ and a URL-encoded id, and always sends x-amzn-RequestId', async () => {
    // Prepare
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'raw');
    // Act
    const response = await fetch(
      `${stack.managementEndpoint}/%40connections/${encodeURIComponent(connectionId)}`,
      { method: 'POST', body: 'raw post' },
    );
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.frame(0)).toBe('raw post');
    await client.close();
  });
});

describe('GetConnection', () => {
  it('reports the connection time, identity and last activity', async () => {
    // Prepare
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'get', {
      headers: { 'User-Agent': 'get-test/2.0' },
    });
    // Act
    const output = await managementClient().send(
      new GetConnectionCommand({ ConnectionId: connectionId }),
    );
    // Assess
    expect(output.ConnectedAt).toBeInstanceOf(Date);
    expect(output.LastActiveAt).toBeInstanceOf(Date);
    expect(output.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(
      output.ConnectedAt?.getTime() ?? 0,
    );
    expect(output.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'get-test/2.0' });
    await client.close();
  });

  it('sends userAgent null when the client sent none', async () => {
    // Prepare
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'get-no-ua');
    // Act
    const response = await fetch(
      `${stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`,
    );
    const output = await managementClient().send(
      new GetConnectionCommand({ ConnectionId: connectionId }),
    );
    // Assess: null on the wire, as AWS sends it; the SDK leaves the field out.
    expect(((await response.json()) as { identity: unknown }).identity).toEqual({
      sourceIp: '127.0.0.1',
      userAgent: null,
    });
    expect(output.Identity?.UserAgent).toBeUndefined();
    await client.close();
  });
});

describe('DeleteConnection', () => {
  it('closes the connection, reports 1000 in $disconnect, and the id is gone afterwards', async () => {
    // Prepare
    const { client, connectionId } = await connectTagged(stack.websocketUrl, sink, 'delete');
    // Act
    const output = await managementClient().send(
      new DeleteConnectionCommand({ ConnectionId: connectionId }),
    );
    // Assess
    expect(output.$metadata.httpStatusCode).toBe(204);
    expect((await client.closed).code).toBe(1000);
    const disconnect = await sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext).toMatchObject({
      disconnectStatusCode: 1000,
      disconnectReason: 'Connection Closed Normally',
    });
    const again = await rejectionOf(
      managementClient().send(new DeleteConnectionCommand({ ConnectionId: connectionId })),
    );
    expect(again.name).toBe('GoneException');
    const get = await rejectionOf(
      managementClient().send(new GetConnectionCommand({ ConnectionId: connectionId })),
    );
    expect(get.name).toBe('GoneException');
  });
});
