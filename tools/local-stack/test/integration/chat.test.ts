/**
 * The real Lambda bundle (`backend/dist/index.mjs`, built by `npm run build`) on the local stack:
 * real `ws` clients chat, and the connections table is checked through the real SDK.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { LocalStack } from '../../src/stack.ts';
import { backdateConnections, dynamoDbClient, TestClient } from '../support/helpers.ts';
import { startTestStack, useLocalStack } from '../support/stack-setup.ts';

const { partitionKey, ttlAttribute } = contract.table;

const bundle = useLocalStack();
/** The same bundle with no `$disconnect` route: a vanished client leaves its item behind. */
const bundleWithoutDisconnect = useLocalStack({ routes: ['$connect', '$default'] });

function table(target: LocalStack): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoDbClient(target));
}

async function storedIds(target: LocalStack): Promise<string[]> {
  const output = await table(target).send(new ScanCommand({ TableName: target.tableName }));
  return (output.Items ?? []).map((item) => item[partitionKey] as string).sort();
}

/** Connects and returns the client with the connection id the handler stored for it. */
async function connect(target: LocalStack): Promise<{ client: TestClient; connectionId: string }> {
  const before = new Set(await storedIds(target));
  const client = await TestClient.connect(target.websocketUrl);
  // $connect has returned 2xx before the handshake completes, so the item is already there.
  const added = (await storedIds(target)).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  return { client, connectionId: added[0] as string };
}

function chatFrame(text: string, senderName: string): string {
  return JSON.stringify({ message: text, senderName });
}

describe('chatting on the local stack', () => {
  it('removes the connection item on disconnect', async () => {
    // Prepare
    const { client, connectionId } = await connect(bundle.stack);
    expect(await storedIds(bundle.stack)).toContain(connectionId);
    // Act
    await client.close();
    // Assess: $disconnect runs after the close, so wait for it.
    await expect
      .poll(() => storedIds(bundle.stack), { timeout: 10_000 })
      .not.toContain(connectionId);
  });

  it('removes a client that vanished without a close frame on the next broadcast, through a real 410', async () => {
    // Prepare
    const target = bundleWithoutDisconnect.stack;
    const sender = await connect(target);
    const listener = await connect(target);
    const vanished = await connect(target);
    await backdateConnections(target, [vanished.connectionId]);
    vanished.client.socket.terminate();
    await vanished.client.closed;
    // An id that never existed, as a stale item from an earlier run would be.
    const staleId = 'StaleStaleStal=';
    await table(target).send(
      new PutCommand({
        TableName: target.tableName,
        Item: {
          [partitionKey]: staleId,
          [contract.table.roomAttribute]: contract.limits.defaultRoom,
          [ttlAttribute]: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );
    expect(await storedIds(target)).toEqual(
      [sender.connectionId, listener.connectionId, vanished.connectionId, staleId].sort(),
    );
    // Act
    sender.client.socket.send(chatFrame('anyone there?', 'Sender'));
    // Assess
    expect(JSON.parse(await listener.client.frame(0))).toMatchObject({ message: 'anyone there?' });
    await expect
      .poll(() => storedIds(target), { timeout: 10_000 })
      .toEqual([sender.connectionId, listener.connectionId].sort());
    await Promise.all([sender.client.close(), listener.client.close()]);
  });
});

describe('--persist', () => {
  it('keeps the table and its items across a restart', async () => {
    // Prepare
    const persistDir = await mkdtemp(join(tmpdir(), 'local-stack-persist-'));
    const first = await startTestStack({ persistDir });
    const { connectionId } = await connect(first);
    // Stopping the stack closes connections without $disconnect, so the item stays.
    await first.stop();
    // Act
    const second = await startTestStack({ persistDir });
    // Assess
    try {
      expect(await storedIds(second)).toEqual([connectionId]);
    } finally {
      await second.stop();
      await rm(persistDir, { recursive: true, force: true });
    }
  });
});

describe('a TypeScript handler', () => {
  it('runs the backend source itself, through tsx, without a build', async () => {
    // Prepare
    const source = fileURLToPath(new URL('../../../../backend/src/handler.ts', import.meta.url));
    const fromSource = await startTestStack({ handlerPath: source });
    try {
      const sender = await connect(fromSource);
      const listener = await connect(fromSource);
      // Act
      sender.client.socket.send(chatFrame('compiled on the fly', 'Source'));
      // Assess
      expect(JSON.parse(await listener.client.frame(0))).toMatchObject({
        message: 'compiled on the fly',
      });
      await Promise.all([sender.client.close(), listener.client.close()]);
    } finally {
      await fromSource.stop();
    }
  });
});
