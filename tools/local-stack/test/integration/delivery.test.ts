/**
 * Protocol 3 with the real Lambda bundle on the local stack, through real `ws` clients: a sender
 * that waits for each ack has its burst delivered in order with increasing serials; a message
 * sent again with its client id after a reconnect is acknowledged the same and seen once; an old
 * client (no protocol version) chats with a client of protocol 3 both ways and is sent nothing
 * but chat messages; and a room's head count is true after churn, with and without `$disconnect`.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { LocalStack } from '../../src/stack.ts';
import {
  chatOf,
  framesOf,
  joinRoom,
  type ServerFrame,
  sendAndWaitForAck,
  waitUntil,
} from '../support/chat-clients.ts';
import { dynamoDbClient, roomMemberIds, type TestClient } from '../support/helpers.ts';
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
  it('delivers a burst of 10, each sent after the previous ack, in order with increasing serials', {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const sender = await joinRoom(bundle.stack, 'burst');
    const listener = await joinRoom(bundle.stack, 'burst');

    // Act
    const acks: ServerFrame[] = [];
    for (let n = 0; n < 10; n++) acks.push(await sendAndWaitForAck(sender, `m${n}`, `burst-${n}`));
    await waitUntil(() => chatOf(listener).length === 10, 'the burst at the listener');

    // Assess: the listener's order is the send order, and the serials are the acks' serials
    const received = chatOf(listener);
    expect(received.map((frame) => frame.message)).toEqual(
      Array.from({ length: 10 }, (_, n) => `m${n}`),
    );
    const serials = received.map((frame) => frame.seq as number);
    for (let index = 1; index < serials.length; index++) {
      expect(serials[index]).toBeGreaterThan(serials[index - 1] as number);
    }
    expect(serials).toEqual(acks.map((ack) => ack.seq));
    expect(received.map((frame) => frame.id)).toEqual(acks.map((ack) => ack.id));
    await Promise.all([sender.close(), listener.close()]);
  });

  it('acknowledges a message sent again with its client id after a reconnect the same, and the others see it once', {
    timeout: 60_000,
  }, async () => {
    // Prepare: the first send is accepted; the sender's connection then drops
    const first = await joinRoom(bundle.stack, 'retry');
    const listener = await joinRoom(bundle.stack, 'retry');
    const ack = await sendAndWaitForAck(first, 'only once', 'retry-1');
    await first.close();

    // Act: the page sends its unacknowledged outbox again on its new connection
    const again = await joinRoom(bundle.stack, 'retry');
    const secondAck = await sendAndWaitForAck(again, 'only once', 'retry-1');
    // A later message marks the end: anything the retry broadcast would have arrived before it
    await sendAndWaitForAck(again, 'after', 'retry-2');
    await waitUntil(
      () => chatOf(listener).some((frame) => frame.message === 'after'),
      'the later message',
    );

    // Assess
    expect(secondAck).toEqual(ack);
    expect(chatOf(listener).map((frame) => frame.message)).toEqual(['only once', 'after']);
    again.sendJson({ action: 'history' });
    await waitUntil(() => framesOf(again).some((frame) => frame.type === 'history'), 'the history');
    const history = framesOf(again).find((frame) => frame.type === 'history') as ServerFrame;
    expect(history.messages?.map((message) => message.message)).toEqual(['only once', 'after']);
    await Promise.all([again.close(), listener.close()]);
  });

  it('lets an old client and a client of protocol 3 chat both ways, and sends the old one only chat messages', {
    timeout: 60_000,
  }, async () => {
    // Prepare: the reference design's page (no version) and ours
    const old = await joinRoom(bundle.stack, 'mixed', 'old');
    const current = await joinRoom(bundle.stack, 'mixed');
    current.sendJson({ action: 'history' });
    await waitUntil(
      () => framesOf(current).some((frame) => frame.type === 'presence'),
      'the head count',
    );

    // Act: both talk; a third client of protocol 3 joins and leaves
    old.sendJson({ action: 'sendmessage', message: 'from the old page' });
    await waitUntil(
      () => chatOf(current).some((frame) => frame.message === 'from the old page'),
      "the old page's message",
    );
    const third = await joinRoom(bundle.stack, 'mixed');
    third.sendJson({ action: 'history' });
    await waitUntil(
      () => framesOf(current).filter((frame) => frame.type === 'presence').length >= 2,
      'the head count after a join',
    );
    await third.close();
    await waitUntil(
      () => framesOf(current).filter((frame) => frame.type === 'presence').length >= 3,
      'the head count after a leave',
    );
    await sendAndWaitForAck(current, 'from the new page', 'mixed-1');
    await waitUntil(
      () => chatOf(old).some((frame) => frame.message === 'from the new page'),
      "the new page's message",
    );

    // Assess: the old client saw the new page's message and nothing else
    expect(framesOf(old).map((frame) => frame.type)).toEqual(['message']);
    expect(chatOf(old)[0]).toMatchObject({ message: 'from the new page' });
    expect(
      framesOf(current)
        .filter((frame) => frame.type === 'presence')
        .map((f) => f.count),
    ).toEqual([2, 3, 2]);
    await Promise.all([old.close(), current.close()]);
  });

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
    // Prepare: 12 members, of whom 5 leave with no $disconnect at all
    const stack = bundleWithoutDisconnect.stack;
    const room = 'lost';
    const members = await Promise.all(Array.from({ length: 12 }, () => joinRoom(stack, room)));
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
