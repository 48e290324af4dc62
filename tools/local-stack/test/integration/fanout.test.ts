/**
 * The real Lambda bundle on the local stack with its shard queue: a broadcast that needs several
 * shards, a shard worker that fails once, and a client that floods the room. Real `ws` clients,
 * the local SQS and its event source mapping, dynalite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS } from '../../src/dynamodb.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/stack.ts';
import { FIXTURES, sleep, TestClient } from '../support/helpers.ts';

const FLAKY_HANDLER = fileURLToPath(
  new URL('../fixtures/flaky-shard-handler.mjs', import.meta.url),
);

let stack: LocalStack | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});
afterAll(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function start(options: LocalStackOptions): Promise<LocalStack> {
  stack = await startLocalStack({ siteDir: FIXTURES.site, log: () => {}, ...options });
  return stack;
}

/** Message events a client received, by id. */
function messagesOf(client: TestClient): { id: string; message: string }[] {
  return client.received
    .map((frame) => JSON.parse(frame) as { type: string; id: string; message: string })
    .filter((event) => event.type === 'message');
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  for (let waited = 0; !condition() && waited < timeoutMs; waited += 50) await sleep(50);
}

async function deadLetters(target: LocalStack): Promise<number> {
  const sqs = new SQSClient({
    endpoint: target.sqsEndpoint,
    region: target.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: target.deadLetterQueueUrl, AttributeNames: ['All'] }),
  );
  sqs.destroy();
  return Number(attributes.Attributes?.ApproximateNumberOfMessages);
}

describe('a broadcast split into shards', () => {
  it('reaches every other client exactly once through several invocations', {
    timeout: 90_000,
  }, async () => {
    // Prepare: shards of 3 recipients, 11 clients
    const target = await start({ env: { [contract.environment.shardSize]: '3' } });
    const clients = await Promise.all(
      Array.from({ length: 11 }, () => TestClient.connect(target.websocketUrl)),
    );
    const [sender, ...others] = clients as [TestClient, ...TestClient[]];
    const before = target.lambdaStats().invocations;

    // Act
    sender.sendJson({ message: 'to everyone', senderName: 'Ada' });
    await waitUntil(() => others.every((client) => messagesOf(client).length > 0), 15_000);
    await sleep(500);

    // Assess: 10 recipients at 3 per invocation: the accepting one and at least 3 shard workers
    for (const client of others) {
      expect(messagesOf(client)).toEqual([expect.objectContaining({ message: 'to everyone' })]);
    }
    expect(new Set(others.map((client) => messagesOf(client)[0]?.id)).size).toBe(1);
    expect(messagesOf(sender)).toEqual([]);
    expect(target.lambdaStats().invocations - before).toBeGreaterThanOrEqual(4);
    expect(await deadLetters(target)).toBe(0);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('loses no recipient when a shard worker fails once: SQS delivers the shard again', {
    timeout: 90_000,
  }, async () => {
    // Prepare: the failed shard comes back after a 3 s visibility timeout
    scratch = await mkdtemp(join(tmpdir(), 'awsome-chat-flaky-'));
    const target = await start({
      handlerPath: FLAKY_HANDLER,
      shardVisibilityTimeoutSeconds: 3,
      env: { [contract.environment.shardSize]: '2', FLAKY_MARKER: join(scratch, 'failed-once') },
    });
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => TestClient.connect(target.websocketUrl)),
    );
    const [sender, ...others] = clients as [TestClient, ...TestClient[]];

    // Act
    sender.sendJson({ message: 'despite a crash' });
    await waitUntil(() => others.every((client) => messagesOf(client).length > 0), 20_000);

    // Assess
    for (const client of others) {
      expect(messagesOf(client).map((event) => event.message)).toEqual(['despite a crash']);
    }
    expect(await deadLetters(target)).toBe(0);
    await Promise.all(clients.map((client) => client.close()));
  });
});

describe('a client that floods', () => {
  it('is told it is rate limited, then closed for flooding, while the others see at most its allowance and a bystander still gets through', {
    timeout: 120_000,
  }, async () => {
    // Prepare: the default bucket, a burst of 10 and 2 messages a second
    const target = await start({});
    const [flooder, watcher, bystander] = (await Promise.all(
      Array.from({ length: 3 }, () => TestClient.connect(target.websocketUrl)),
    )) as [TestClient, TestClient, TestClient];
    const { rateLimitBurst, rateLimitPerSecond } = contract.limits;

    // Act: 100 messages back to back, then a bystander speaks
    const floodStarted = Date.now();
    for (let index = 0; index < 100; index++) flooder.sendJson({ message: `flood ${index}` });
    // A frame refused by the budget still spends, up to one more burst; the frame after that
    // closes the connection (DeleteConnection), so the flood ends with a closed socket.
    const closed = await flooder.closed;
    const floodSeen = (): number =>
      messagesOf(watcher).filter((event) => event.message.startsWith('flood')).length;
    bystander.sendJson({ message: 'still here' });
    await waitUntil(
      () => messagesOf(watcher).some((event) => event.message === 'still here'),
      10_000,
    );
    await sleep(500);
    const floodSeconds = (Date.now() - floodStarted) / 1000;

    // Assess
    const frames = flooder.received.map(
      (frame) => JSON.parse(frame) as { type?: string; code?: string; message?: string },
    );
    // The flooder gets its refusals (and, on a machine too busy to keep up, API Gateway's own
    // timeout frames), never an echo of its messages, and last the reason it was closed.
    expect(frames.filter((event) => event.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(frames.filter((event) => event.code === 'too_many_frames').length).toBeGreaterThan(0);
    expect(closed.code).toBe(1000);
    expect(
      frames.filter((event) => event.type === 'message' && event.message?.startsWith('flood')),
    ).toEqual([]);
    expect(floodSeen()).toBeGreaterThanOrEqual(rateLimitBurst);
    expect(floodSeen()).toBeLessThanOrEqual(
      rateLimitBurst + Math.ceil(rateLimitPerSecond * floodSeconds),
    );
    expect(messagesOf(watcher).some((event) => event.message === 'still here')).toBe(true);

    // Act again: the flooder connects anew (from 127.0.0.1, which has no per-address budget on
    // the local stack) and speaks with a fresh connection's allowance
    const returned = await TestClient.connect(target.websocketUrl);
    returned.sendJson({ message: 'calmer now' });
    await waitUntil(
      () => messagesOf(watcher).some((event) => event.message === 'calmer now'),
      10_000,
    );
    expect(messagesOf(watcher).some((event) => event.message === 'calmer now')).toBe(true);
    await Promise.all([returned, watcher, bystander].map((client) => client.close()));
  });
});
