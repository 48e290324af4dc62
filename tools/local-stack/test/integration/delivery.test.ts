/**
 * Protocol 3 with the real Lambda bundle on the local stack, through real `ws` clients: a room's
 * head count is true after churn, with and without `$disconnect` (a local stack without that
 * route). Acks, serials, retries and old clients, as seen from outside, are in the behaviour
 * suite (tools/behaviour/suite/protocol.test.ts), which runs on AWS too.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { LocalStack } from '../../src/stack.ts';
import { chatOf, joinRoom, sendAndWaitForAck, waitUntil } from '../support/chat-clients.ts';
import {
  backdateConnections,
  dynamoDbClient,
  roomMemberIds,
  type TestClient,
} from '../support/helpers.ts';
import { useLocalStack } from '../support/stack-setup.ts';

/** Enough tokens for a burst and its retries, so the rate limit is not what is tested here. */
const env = { [contract.environment.rateLimitBurst]: '100' };
const bundle = useLocalStack({ env });
/** The same bundle with no `$disconnect` route: every leave is a lost `$disconnect`. */
const bundleWithoutDisconnect = useLocalStack({ env, routes: ['$connect', '$default'] });

async function storedMembers(stack: LocalStack, room: string): Promise<number | undefined> {
  const client = DynamoDBDocumentClient.from(dynamoDbClient(stack));
  try {
    const { Item } = await client.send(
      new GetCommand({
        TableName: stack.roomsTableName,
        Key: { [contract.roomsTable.partitionKey]: room, [contract.roomsTable.sortKey]: -1 },
        ConsistentRead: true,
      }),
    );
    return Item?.members as number | undefined;
  } finally {
    client.destroy();
  }
}

describe('protocol 3 on the local stack', () => {
  it('counts a room right after churn: joins, closes and cut connections at once, then a message', {
    timeout: 90_000,
  }, async () => {
    // Prepare: 20 members
    const room = 'churn';
    const members = await Promise.all(
      Array.from({ length: 20 }, () => joinRoom(bundle.stack, room)),
    );

    // Act: at once, 8 more join, 6 close and 6 vanish without a close frame
    const [joined] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => joinRoom(bundle.stack, room))),
      ...members.slice(0, 6).map((client) => client.close()),
      ...members.slice(6, 12).map(async (client) => {
        client.socket.terminate();
        await client.closed;
      }),
    ]);
    const live = [...members.slice(12), ...joined];
    await expect
      .poll(() => roomMemberIds(bundle.stack, room), { timeout: 15_000 })
      .toHaveLength(16);
    const [speaker, listener] = live as [TestClient, TestClient];
    await sendAndWaitForAck(speaker, 'who is here?', 'churn-1');
    await waitUntil(
      () => chatOf(listener).some((frame) => frame.message === 'who is here?'),
      'who is here?',
    );

    // Assess: the stored count is the real number, and the next message carries it
    await expect.poll(() => storedMembers(bundle.stack, room), { timeout: 15_000 }).toBe(16);
    await sendAndWaitForAck(speaker, 'still?', 'churn-2');
    await waitUntil(() => chatOf(listener).some((frame) => frame.message === 'still?'), 'still?');
    expect(chatOf(listener).find((frame) => frame.message === 'still?')?.members).toBe(16);
    await Promise.all(live.map((client) => client.close()));
  });

  it('counts a room right after leaves whose $disconnect never came, once a message found them gone', {
    timeout: 90_000,
  }, async () => {
    // Prepare: 12 members who joined a minute ago, of whom 5 leave with no $disconnect at all
    const stack = bundleWithoutDisconnect.stack;
    const room = 'lost';
    const members = await Promise.all(Array.from({ length: 12 }, () => joinRoom(stack, room)));
    await backdateConnections(stack, await roomMemberIds(stack, room));
    await Promise.all(members.slice(0, 5).map((client) => client.close()));
    const live = members.slice(5) as [TestClient, TestClient, ...TestClient[]];
    const [speaker, listener] = live;
    expect(await storedMembers(stack, room)).toBe(12);

    // Act: the next message finds the 5 gone (410) and counts each out once
    await sendAndWaitForAck(speaker, 'anyone?', 'lost-1');
    await waitUntil(() => chatOf(listener).some((frame) => frame.message === 'anyone?'), 'anyone?');
    await expect.poll(() => roomMemberIds(stack, room), { timeout: 15_000 }).toHaveLength(7);

    // Assess: no ghost (each count-out follows its delete), and the message after carries the
    // true count
    await expect.poll(() => storedMembers(stack, room), { timeout: 15_000 }).toBe(7);
    await sendAndWaitForAck(speaker, 'seven?', 'lost-2');
    await waitUntil(() => chatOf(listener).some((frame) => frame.message === 'seven?'), 'seven?');
    expect(chatOf(listener).find((frame) => frame.message === 'seven?')?.members).toBe(7);
    await Promise.all(live.map((client) => client.close()));
  });
});
