/**
 * Conformance of the local gateway's `$connect` authorizer, against the recording authorizer and
 * handler fixtures and real `ws` clients: what serverless-offline and LocalStack got wrong. The
 * authorizer is invoked, with the REQUEST input; its refusals come before the socket opens, and
 * before `$connect`; `principalId` and the context reach every event of the connection; the
 * chosen subprotocol is echoed; nothing is cached.
 */
import { describe, expect, it } from 'vitest';
import {
  FIXTURES,
  HandshakeRefused,
  type InvocationRecord,
  isEvent,
  TestClient,
} from '../support/helpers.ts';
import { useRecordingStack } from '../support/stack-setup.ts';

const recording = useRecordingStack({
  authorizer: { handlerPath: FIXTURES.recordingAuthorizer },
  integrationTimeoutMs: 10_000,
});

/** The authorizer's record of the handshake tagged `tag`. */
function authorizerOf(tag: string): (record: InvocationRecord) => boolean {
  return (record) => record.authorizer?.queryStringParameters?.tag === tag;
}

/** The CONNECT record of the handshake tagged `tag`. */
function connectOf(tag: string): (record: InvocationRecord) => boolean {
  return (record) =>
    isEvent('CONNECT')(record) &&
    (record.event?.queryStringParameters as Record<string, string> | undefined)?.tag === tag;
}

/**
 * Opens a connection tagged `tag`, offering the chat's subprotocol and `bearer.<token>`; the
 * recording handler's `$connect` chooses the chat's, as the chat's `$connect` does.
 */
function connectWith(tag: string, token: string | undefined): Promise<TestClient> {
  const protocols = token === undefined ? undefined : ['awsome-chat', `bearer.${token}`];
  return TestClient.connect(
    `${recording.stack.websocketUrl}?tag=${tag}&protocol=awsome-chat`,
    {},
    protocols,
  );
}

describe('the $connect authorizer on the local gateway', () => {
  it('is invoked with the REQUEST input: type, method ARN, the handshake headers and query', async () => {
    // Act
    const client = await connectWith('input', 'allow');
    const { authorizer } = await recording.sink.waitFor(authorizerOf('input'));
    // Assess
    expect(authorizer).toMatchObject({
      type: 'REQUEST',
      stageVariables: {},
      queryStringParameters: { tag: 'input', protocol: 'awsome-chat' },
      multiValueQueryStringParameters: { tag: ['input'], protocol: ['awsome-chat'] },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT' },
    });
    expect(authorizer?.methodArn).toMatch(
      /^arn:aws:execute-api:us-east-1:000000000000:[0-9a-f]{10}\/prod\/\$connect$/,
    );
    const headers = authorizer?.headers as Record<string, string>;
    expect(headers['Sec-WebSocket-Protocol']).toBe('awsome-chat,bearer.allow');
    expect(headers.Upgrade).toBe('websocket');
    expect(headers.Connection).toBe('Upgrade');
    await client.close();
  });

  it('refuses a handshake without the identity source with 401, without invoking it', async () => {
    // Act
    const refused = connectWith('no-protocol', undefined);
    // Assess
    await expect(refused).rejects.toEqual(new HandshakeRefused(401));
    // A later handshake's records arrive after any this one could have made.
    const client = await connectWith('after-no-protocol', 'allow');
    await recording.sink.waitFor(connectOf('after-no-protocol'));
    expect(recording.sink.records.filter(authorizerOf('no-protocol'))).toEqual([]);
    expect(recording.sink.records.filter(connectOf('no-protocol'))).toEqual([]);
    await client.close();
  });

  it.each([
    ['throws "Unauthorized"', 'unauthorized', 401],
    ['returns a Deny', 'deny', 403],
    ['fails otherwise', 'crash', 500],
    ['returns a malformed result', 'malformed', 500],
  ])(
    'refuses before the socket opens when the authorizer %s: %i, and $connect never runs',
    async (_case, token, status) => {
      // Prepare
      const tag = `refused-${token}`;
      // Act
      const refused = connectWith(tag, token);
      // Assess
      await expect(refused).rejects.toEqual(new HandshakeRefused(status));
      await recording.sink.waitFor(authorizerOf(tag));
      const client = await connectWith(`after-${tag}`, 'allow');
      await recording.sink.waitFor(connectOf(`after-${tag}`));
      expect(recording.sink.records.filter(connectOf(tag))).toEqual([]);
      await client.close();
    },
  );

  it('passes principalId, integrationLatency and the context to $connect, $default and $disconnect', async () => {
    // Prepare
    const client = await connectWith('context', 'allow');
    const connect = await recording.sink.waitFor(connectOf('context'));
    const connectionId = connect.event?.requestContext.connectionId as string;
    // Act
    client.sendJson({ do: 'nothing' });
    const message = await recording.sink.waitFor(isEvent('MESSAGE', connectionId));
    await client.close();
    const disconnect = await recording.sink.waitFor(isEvent('DISCONNECT', connectionId));
    // Assess: the same context on every event, its values as strings
    const expected = {
      principalId: 'user-ada',
      integrationLatency: expect.any(Number),
      senderName: 'Ada',
      count: '3',
      admin: 'false',
    };
    for (const record of [connect, message, disconnect]) {
      expect(record.event?.requestContext.authorizer).toEqual(expected);
    }
    expect(message.event?.requestContext.authorizer).toEqual(
      connect.event?.requestContext.authorizer,
    );
  });

  it('echoes the subprotocol $connect chose, never the token', async () => {
    // Act
    const client = await connectWith('protocol', 'allow');
    // Assess
    expect(client.socket.protocol).toBe('awsome-chat');
    await client.close();
  });

  it('caches nothing: every handshake invokes the authorizer', async () => {
    // Act: the same token twice
    const first = await connectWith('cache', 'allow');
    const second = await connectWith('cache', 'allow');
    await recording.sink.waitFor(
      (record) =>
        recording.sink.records.filter(authorizerOf('cache')).length >= 2 && record !== undefined,
    );
    // Assess
    expect(recording.sink.records.filter(authorizerOf('cache'))).toHaveLength(2);
    await Promise.all([first.close(), second.close()]);
  });
});
