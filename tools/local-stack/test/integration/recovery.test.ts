/**
 * Issue 19's repros, run again against the real bundle on the local stack with real `ws` clients
 * that keep the room as the page does (support/page-member.ts): a retried post caught up after a
 * reconnect, a killed accepting invocation, a failed Query, and an old client among clients of
 * protocol 3. Each test fails if its path loses a message, shows one twice, or shows them out of
 * order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import type { LocalStack } from '../../src/stack.ts';
import {
  chatOf,
  framesOf,
  joinRoom,
  receiptFor,
  requestHistory,
  type ServerFrame,
  sendAndWaitForAck,
  sendWithClientId,
  settled,
  toldTheRoomHas,
  waitUntil,
} from '../support/chat-clients.ts';
import { broadcastsOver, StackOutput } from '../support/delivery-queues.ts';
import { roomMemberIds } from '../support/helpers.ts';
import { type Arrival, joinPagesOneByOne, PageMember } from '../support/page-member.ts';
import { useLocalStack } from '../support/stack-setup.ts';

const output = new StackOutput();
const bundle = useLocalStack({
  log: output.log,
  // A killed shard worker's record comes back after 5 s; an accepting invocation has 20 s.
  shardVisibilityTimeoutSeconds: 5,
  functionTimeoutMs: 20_000,
  env: { [contract.environment.rateLimitBurst]: '100' },
});

afterEach(() => {
  bundle.stack.faults.clear();
});

/** Joins as the page does and finds the connection id the function stored for it. */
async function joinPage(
  stack: LocalStack,
  room: string,
  options: { readonly gapGraceMs?: number } = {},
): Promise<{ member: PageMember; connectionId: string }> {
  const before = new Set(await roomMemberIds(stack, room));
  const member = await PageMember.join(stack, room, options);
  const added = (await roomMemberIds(stack, room)).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  return { member, connectionId: added[0] as string };
}

/** The copies of a message (by text) a member was sent, live and in history replies. */
const arrivalsOf = (member: PageMember, text: string): Arrival[] =>
  member.arrivals.filter((arrival) => arrival.message === text);

describe('catch-up after a retried post and a reconnect', () => {
  it('shows A and B once, in order, when the post of A failed, B came, and the page reconnected', {
    timeout: 300_000,
  }, async () => {
    // Prepare: S speaks, V and W listen. V's page keeps a gap open longer than the drop takes,
    // so it catches up by reconnecting, not by fetching the gap.
    const { stack } = bundle;
    output.printTailIfTheTestFails();
    const room = 'retry-reconnect';
    const sender = await joinRoom(stack, room);
    const { member: v, connectionId: vId } = await joinPage(stack, room, { gapGraceMs: 600_000 });
    await toldTheRoomHas([sender, v.connection], 2);
    const { member: w } = await joinPage(stack, room);
    await toldTheRoomHas([sender, v.connection, w.connection], 3);
    stack.resetMetrics();
    // One 500 on V's post of A; A's retry then waits in the queue (its worker is killed, and SQS
    // offers it again after 5 s), as a retry that has not come yet.
    const failedPost = stack.faults.failPosts({ status: 500, count: 1, connectionIds: [vId] });
    const retryKilled = stack.faults.killNextInvocation({ route: 'sqs', afterMs: 0 });

    // Act: A fails for V; B is delivered; V drops and reconnects
    const ackA = await sendAndWaitForAck(sender, 'A', 'reconnect-a');
    await waitUntil(() => failedPost.injected === 1, 'the failed post of A to V');
    const ackB = await sendAndWaitForAck(sender, 'B', 'reconnect-b');
    await v.waitToShow('B');
    const contiguousBeforeDrop = v.contiguous;
    await v.drop();
    await v.reconnect();
    await v.waitToShow('A', 'B');
    // A's retry comes back for V's old connection, which is gone.
    expect(await settled(retryKilled.killed, 'the kill of the retry')).toBe(true);
    await broadcastsOver(stack, 2);

    // Assess: V asked for what came after its contiguous serial, which is just below A
    expect(ackB.seq).toBe((ackA.seq as number) + 1);
    expect(contiguousBeforeDrop).toBe((ackA.seq as number) - 1);
    expect(v.historyRequests.at(-1)).toEqual({ action: 'history', after: contiguousBeforeDrop });
    for (const member of [v, w]) {
      expect(member.shown()).toEqual([
        { id: ackA.id, seq: ackA.seq, message: 'A' },
        { id: ackB.id, seq: ackB.seq, message: 'B' },
      ]);
    }
    // V got A once (from the history), B live and again in the history reply.
    expect(arrivalsOf(v, 'A')).toEqual([{ id: ackA.id, seq: ackA.seq, message: 'A', live: false }]);
    expect(arrivalsOf(w, 'A')).toHaveLength(1);
    await Promise.all([sender.close(), v.close(), w.close()]);
  });
});

describe('an accepting invocation that dies after the commit', () => {
  it("gives the sender's retry the original ack, writes no second copy, and members get it with the next message", {
    timeout: 300_000,
  }, async () => {
    // Prepare: every post to the members is throttled, so the accepting invocation is still
    // posting (waiting and posting again) when it is killed, 3 s after it started
    const { stack } = bundle;
    output.printTailIfTheTestFails();
    const room = 'killed-accept';
    const sender = await joinRoom(stack, room);
    const senderId = (await roomMemberIds(stack, room))[0] as string;
    const members = await joinPagesOneByOne(stack, room, 3, [sender]);
    const memberIds = (await roomMemberIds(stack, room)).filter((id) => id !== senderId);
    expect(memberIds).toHaveLength(members.length);
    stack.faults.failPosts({ status: 429, connectionIds: memberIds });
    const kill = stack.faults.killNextInvocation({ route: '$default', afterMs: 3_000 });

    // Act: A is accepted (acked), then its invocation dies mid-fan-out
    const ack = await sendAndWaitForAck(sender, 'A', 'killed-a');
    expect(await settled(kill.killed, 'the kill of the accepting invocation')).toBe(true);
    await waitUntil(
      () => framesOf(sender).some((frame) => frame.message === 'Internal server error'),
      "API Gateway's error frame",
    );
    stack.faults.clear();
    // The page sends A again (same client id), then the next message
    const retried = framesOf(sender).length;
    sendWithClientId(sender, 'A', 'killed-a');
    await waitUntil(() => framesOf(sender).length > retried, 'an answer to the retry');
    const ackC = await sendAndWaitForAck(sender, 'C', 'killed-c');
    for (const member of members) await member.waitToShow('A', 'C');

    // Assess: the retry got the original ack, nothing else
    expect(framesOf(sender).slice(retried, retried + 1)).toEqual([ack]);
    expect(ackC.seq).toBe((ack.seq as number) + 1);
    for (const member of members) {
      expect(member.shown()).toEqual([
        { id: ack.id, seq: ack.seq, message: 'A' },
        { id: ackC.id, seq: ackC.seq, message: 'C' },
      ]);
      // A came once, from the gap's history request; never live
      expect(arrivalsOf(member, 'A').map((arrival) => arrival.live)).toEqual([false]);
      expect(member.historyRequests.at(-1)).toEqual({
        action: 'history',
        after: (ack.seq as number) - 1,
      });
    }
    const history = await requestHistory(sender);
    expect(history.messages.map((message) => message.message)).toEqual(['A', 'C']);
    await Promise.all([sender.close(), ...members.map((member) => member.close())]);
  });
});

describe('a Query that fails during a send', () => {
  // A stack of its own: a DynamoDB fault strikes whichever Query comes next, and the other
  // tests' leaves query their rooms after their clients have gone.
  const queryOutput = new StackOutput();
  const queryStack = useLocalStack({ log: queryOutput.log });
  afterEach(() => {
    queryStack.stack.faults.clear();
  });

  it('still reaches everyone through the queue, never tells the sender to try again, and a retry makes no second copy', {
    timeout: 300_000,
  }, async () => {
    // Prepare: the room's members cannot be read: every attempt of the first Query fails (the
    // SDK's DynamoDB client makes 4)
    const { stack } = queryStack;
    queryOutput.printTailIfTheTestFails();
    const room = 'failed-query';
    const sender = await joinRoom(stack, room);
    const members = await joinPagesOneByOne(stack, room, 3, [sender]);
    stack.resetMetrics();
    const failedQueries = stack.faults.failDynamoDb({ operation: 'Query', count: 4 });

    // Act
    const ack = await sendAndWaitForAck(sender, 'through the queue', 'query-a');
    for (const member of members) await member.waitToShow('through the queue');
    await broadcastsOver(stack, 1);
    sendWithClientId(sender, 'through the queue', 'query-a');
    await waitUntil(
      () => framesOf(sender).filter((frame) => frame.clientId === 'query-a').length === 2,
      'the answer to the retry',
    );
    const ackC = await sendAndWaitForAck(sender, 'next', 'query-c');
    for (const member of members) await member.waitToShow('next');

    // Assess: the read failed, the room went to the queue, and the sender heard only acks
    expect(failedQueries.injected).toBe(4);
    const acceptedLine = queryOutput
      .functionLog()
      .find((line) => line.outcome === 'broadcast' && line.seq === ack.seq);
    expect(acceptedLine).toMatchObject({ readFailed: 'InternalServerError', shards: 1 });
    const answers = framesOf(sender).filter((frame) => frame.type !== 'presence');
    expect(answers).toEqual([ack, ack, ackC]);
    for (const member of members) {
      expect(member.shownTexts()).toEqual(['through the queue', 'next']);
      expect(arrivalsOf(member, 'through the queue')).toHaveLength(1);
    }
    const history = await requestHistory(sender);
    expect(history.messages.map((message) => [message.id, message.seq])).toEqual([
      [ack.id, ack.seq],
      [ackC.id, ackC.seq],
    ]);
    await Promise.all([sender.close(), ...members.map((member) => member.close())]);
  });
});

describe('an old client among clients of protocol 3', () => {
  it('is sent nothing but chat messages while the others join, leave, chat, retry, and are refused', {
    timeout: 300_000,
  }, async () => {
    // Prepare: the reference design's page, which shows the `message` field of every frame
    const { stack } = bundle;
    output.printTailIfTheTestFails();
    const room = 'reference';
    const old = await joinRoom(stack, room, 'old');
    const alice = await PageMember.join(stack, room);

    // Act: a v3 client joins and leaves; the others chat, send again, are refused, and one
    // message reaches only part of the room
    const bob = await PageMember.join(stack, room);
    alice.send('hello from Alice', 'alice-1');
    await bob.waitToShow('hello from Alice');
    bob.send('hello from Bob', 'bob-1');
    await alice.waitToShow('hello from Bob');
    bob.send('hello from Bob', 'bob-1');
    await receiptFor(bob.connection, 'ack', 'bob-1');
    bob.connection.sendJson({ action: 'sendmessage', message: ' ', clientId: 'bob-2' });
    await receiptFor(bob.connection, 'error', 'bob-2');
    await bob.close();
    await waitUntil(
      () => framesOf(alice.connection).filter((frame) => frame.type === 'presence').length >= 3,
      'presence of the join and the leave',
    );
    old.sendJson({ action: 'sendmessage', message: 'hello from the old page' });
    await alice.waitToShow('hello from the old page');
    const { member: carol, connectionId: carolId } = await joinPage(stack, room);
    stack.faults.failPosts({ status: 413, connectionIds: [carolId] });
    alice.send('not for Carol', 'alice-2');
    const incomplete = await receiptFor(alice.connection, 'delivery_incomplete', 'alice-2');
    stack.faults.clear();
    alice.send('the last word', 'alice-3');
    await waitUntil(
      () => chatOf(old).some((frame) => frame.message === 'the last word'),
      'the last word at the old client',
    );

    // Assess: every frame the old client got is a chat message with text to show
    const frames: ServerFrame[] = framesOf(old);
    expect(frames.map((frame) => frame.type)).toEqual(Array(frames.length).fill('message'));
    expect(frames.map((frame) => frame.message)).toEqual([
      'hello from Alice',
      'hello from Bob',
      'not for Carol',
      'the last word',
    ]);
    expect(incomplete).toMatchObject({ unreached: 1 });
    await Promise.all([old.close(), alice.close(), carol.close()]);
  });
});
