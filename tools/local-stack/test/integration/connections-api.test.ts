/**
 * The `@connections` management API through the real `ApiGatewayManagementApiClient`: the SDK
 * must see the same statuses, bodies and error names it sees on AWS.
 */
import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { isEvent, managementClient } from '../support/helpers.ts';
import { useRecordingStack } from '../support/stack-setup.ts';

const recording = useRecordingStack();

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
    ['with the stage', (): string => recording.stack.managementEndpoint],
    ['with a trailing slash', (): string => `${recording.stack.managementEndpoint}/`],
    ['without the stage', (): string => recording.stack.managementEndpoint.replace(/\/prod$/, '')],
  ])('delivers a text frame through an endpoint %s', async (_name, endpoint) => {
    // Prepare
    const { client, connectionId } = await recording.connect(`post-${_name}`);
    // Act
    const output = await managementClient(recording.stack, endpoint()).send(
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
      recording.management.send(
        new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' }),
      ),
    );
    expect(error.name).toBe('GoneException');
    expect(error.$metadata?.httpStatusCode).toBe(410);
  });

  it('raises PayloadTooLargeException for Data over 128 KiB', async () => {
    const { client, connectionId } = await recording.connect('too-large');
    const error = await rejectionOf(
      recording.management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(131_073) }),
      ),
    );
    expect(error.name).toBe('PayloadTooLargeException');
    expect(error.$metadata?.httpStatusCode).toBe(413);
    await recording.management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(131_072) }),
    );
    expect((await client.frame(0)).length).toBe(131_072);
    await client.close();
  });

  it('raises ForbiddenException for an endpoint with the wrong stage', async () => {
    const { client, connectionId } = await recording.connect('wrong-stage');
    const wrongStage = recording.stack.managementEndpoint.replace(/\/prod$/, '/dev');
    const error = await rejectionOf(
      managementClient(recording.stack, wrongStage).send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' }),
      ),
    );
    expect(error.name).toBe('ForbiddenException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    await client.close();
  });

  it('accepts %40 for @ and a URL-encoded id, and always sends x-amzn-RequestId', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('raw');
    // Act
    const response = await fetch(
      `${recording.stack.managementEndpoint}/%40connections/${encodeURIComponent(connectionId)}`,
      { method: 'POST', body: 'raw post' },
    );
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.frame(0)).toBe('raw post');
    await client.close();
  });
});

describe('a slow client', () => {
  it('gets 429 LimitExceededException once its buffer is full, and loses no accepted post', async () => {
    // Prepare: the client stops reading, so what is sent to it piles up in the kernel's buffers,
    // then in the gateway's.
    const { client, connectionId } = await recording.connect('slow-reader');
    client.socket.pause();
    const impatient = managementClient(recording.stack, undefined, { maxAttempts: 1 });
    const padding = 'x'.repeat(128 * 1024 - 16);
    let accepted = 0;
    let refusal: (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
    // Act: post 128 KB messages until one is refused (far fewer than 400 fill any buffer).
    while (refusal === undefined && accepted < 400) {
      const post = new PostToConnectionCommand({
        ConnectionId: connectionId,
        Data: `${accepted}:${padding}`,
      });
      refusal = await impatient.send(post).then(
        () => {
          accepted += 1;
          return undefined;
        },
        (error: Error) => error,
      );
    }
    impatient.destroy();
    // Assess: refused as AWS refuses it; the connection stays open, and once the client reads,
    // every accepted post arrives, in order, and posting works again.
    expect(refusal?.name).toBe('LimitExceededException');
    expect(refusal?.$metadata?.httpStatusCode).toBe(429);
    client.socket.resume();
    await client.frame(accepted - 1);
    expect(client.received.map((frame) => Number(frame.split(':')[0]))).toEqual(
      Array.from({ length: accepted }, (_, index) => index),
    );
    await recording.management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'after the jam' }),
    );
    expect(await client.frame(accepted)).toBe('after the jam');
    await client.close();
  });
});

describe('GetConnection', () => {
  it('reports the connection time, identity and last activity', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('get', {
      headers: { 'User-Agent': 'get-test/2.0' },
    });
    // Act
    const output = await recording.management.send(
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
    const { client, connectionId } = await recording.connect('get-no-ua');
    // Act
    const response = await fetch(
      `${recording.stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`,
    );
    const output = await recording.management.send(
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
    const { client, connectionId } = await recording.connect('delete');
    // Act
    const output = await recording.management.send(
      new DeleteConnectionCommand({ ConnectionId: connectionId }),
    );
    // Assess
    expect(output.$metadata.httpStatusCode).toBe(204);
    expect((await client.closed).code).toBe(1000);
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext).toMatchObject({
      disconnectStatusCode: 1000,
      disconnectReason: 'Connection Closed Normally',
    });
    const again = await rejectionOf(
      recording.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId })),
    );
    expect(again.name).toBe('GoneException');
    const get = await rejectionOf(
      recording.management.send(new GetConnectionCommand({ ConnectionId: connectionId })),
    );
    expect(get.name).toBe('GoneException');
  });
});
