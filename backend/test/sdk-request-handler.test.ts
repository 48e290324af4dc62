/**
 * The SDK clients' request handler against a real HTTP server that never answers: a request
 * fails once the invocation's time is up (less the margin), no request starts without time left,
 * and between invocations the request timeout still ends a hung request.
 */
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { InvocationDeadline } from '../src/invocation-deadline.ts';
import { createInvocationClock } from '../src/invocation-deadline.ts';
import { createDeadlineCappedHandler } from '../src/sdk-request-handler.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A server that accepts every request and never answers; it counts the requests. */
async function silentServer(): Promise<{ endpoint: string; requests: () => number }> {
  let requests = 0;
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    held.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests: () => requests };
}

/** A deadline `ms` from now, as Lambda's context reports it. */
function deadlineIn(ms: number): InvocationDeadline {
  const at = Date.now() + ms;
  return { remainingTimeMs: () => at - Date.now() };
}

describe('the deadline-capped request handler', () => {
  it('fails a hung DynamoDB call when the invocation runs out of time, and starts no retry after', async () => {
    // Prepare: 600 ms left, 300 ms of margin: the request may run about 300 ms
    const server = await silentServer();
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      credentials,
      endpoint: server.endpoint,
      requestHandler: createDeadlineCappedHandler({ deadline: deadlineIn(600), marginMs: 300 }),
    });

    // Act
    const call = client.send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'x' } } }));

    // Assess: a timeout, and the SDK's retries were refused before they reached the server
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.requests()).toBe(1);
  });

  it('starts no request when the invocation has less than the margin left', async () => {
    // Prepare
    const server = await silentServer();
    const client = new SQSClient({
      region: 'eu-west-1',
      credentials,
      endpoint: server.endpoint,
      requestHandler: createDeadlineCappedHandler({ deadline: deadlineIn(200), marginMs: 300 }),
    });

    // Act
    const call = client.send(
      new SendMessageCommand({ QueueUrl: `${server.endpoint}/1/q`, MessageBody: 'x' }),
    );

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.requests()).toBe(0);
  });

  it('ends a hung request at its request timeout between invocations, and sets both timeouts', async () => {
    // Prepare: no invocation running, so no deadline; one attempt only
    const server = await silentServer();
    const handler = createDeadlineCappedHandler({
      deadline: createInvocationClock(),
      requestTimeoutMs: 200,
    });
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      credentials,
      endpoint: server.endpoint,
      maxAttempts: 1,
      requestHandler: handler,
    });

    // Act
    const call = client.send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'x' } } }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.requests()).toBe(1);
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: 1000,
      requestTimeout: 200,
      throwOnRequestTimeout: true,
    });
  });
});
