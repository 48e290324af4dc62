/**
 * Rooms, history and presence with the real Lambda bundle on the local stack: real `ws` clients,
 * dynalite with the room index and the rooms table, the real management client.
 */
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../src/stack.ts';
import {
  FIXTURES,
  HandshakeRefused,
  managementClient,
  roomMemberIds,
  sleep,
  TestClient,
} from '../support/helpers.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ siteDir: FIXTURES.site, log: () => {} });
});
afterAll(async () => {
  await stack?.stop();
});

interface Event {
  readonly type: string;
  readonly id?: string;
  readonly room?: string;
  readonly message?: string;
  readonly count?: number;
  readonly members?: number;
  readonly messages?: Event[];
  readonly part?: number;
  readonly parts?: number;
}

const eventsOf = (client: TestClient): Event[] =>
  client.received.map((frame) => JSON.parse(frame) as Event);
const messagesOf = (client: TestClient): string[] =>
  eventsOf(client)
    .flatMap((event) => (event.type === 'history' ? (event.messages ?? []) : [event]))
    .filter((event) => event.type === 'message')
    .map((event) => event.message ?? '');

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !condition() && waited < timeoutMs; waited += 50) await sleep(50);
}

/** Joins as a client of protocol 3: only those are sent presence frames. */
const join = (room: string): Promise<TestClient> =>
  TestClient.connect(`${stack.websocketUrl}?room=${room}&v=3`);

describe('rooms', () => {
  it('keeps two rooms apart', { timeout: 60_000 }, async () => {
    // Prepare
    const [a1, a2, b1, b2] = await Promise.all([
      join('alpha'),
      join('alpha'),
      join('beta'),
      join('beta'),
    ]);

    // Act: one message in each room, then a last one in each, sent once the first has arrived,
    // so anything misdelivered by the first ones has had its chance to arrive before the last
    a1.sendJson({ message: 'for alpha' });
    b1.sendJson({ message: 'for beta' });
    await until(() => messagesOf(a2).includes('for alpha') && messagesOf(b2).includes('for beta'));
    a2.sendJson({ message: 'alpha done' });
    b2.sendJson({ message: 'beta done' });
    await until(
      () => messagesOf(a1).includes('alpha done') && messagesOf(b1).includes('beta done'),
    );

    // Assess
    expect(messagesOf(a1)).toEqual(['alpha done']);
    expect(messagesOf(a2)).toEqual(['for alpha']);
    expect(messagesOf(b1)).toEqual(['beta done']);
    expect(messagesOf(b2)).toEqual(['for beta']);
    expect(eventsOf(a2).find((event) => event.type === 'message')).toMatchObject({ room: 'alpha' });
    await Promise.all([a1, a2, b1, b2].map((client) => client.close()));
  });

  it('refuses a malformed room name at the handshake with 400', async () => {
    await expect(TestClient.connect(`${stack.websocketUrl}?room=no%20spaces`)).rejects.toEqual(
      new HandshakeRefused(400),
    );
  });

  it('gives a late joiner what was said before, oldest first, and the head count', {
    timeout: 60_000,
  }, async () => {
    // Prepare: two messages in "gamma" before the joiner arrives
    const early = await join('gamma');
    const listener = await join('gamma');
    early.sendJson({ message: 'first' });
    await until(() => messagesOf(listener).includes('first'));
    early.sendJson({ message: 'second' });
    await until(() => messagesOf(listener).includes('second'));

    // Act
    const late = await join('gamma');
    late.sendJson({ action: 'history' });
    await until(() => eventsOf(late).some((event) => event.type === 'presence'));

    // Assess: live copies carry the head count, kept ones do not
    expect(eventsOf(listener).find((event) => event.type === 'message')).toMatchObject({
      message: 'first',
      members: 2,
    });
    const history = eventsOf(late).filter((event) => event.type === 'history');
    expect(history).toHaveLength(1);
    expect(history[0]?.messages?.map((event) => event.message)).toEqual(['first', 'second']);
    expect(history[0]?.messages?.[0]).not.toHaveProperty('members');
    expect(eventsOf(late).find((event) => event.type === 'presence')).toEqual({
      type: 'presence',
      room: 'gamma',
      count: 3,
    });
    // A room this small hears the new count too
    await until(() => eventsOf(listener).some((event) => event.type === 'presence'));
    expect(
      eventsOf(listener)
        .filter((event) => event.type === 'presence')
        .at(-1),
    ).toMatchObject({ count: 3 });
    await Promise.all([early, listener, late].map((client) => client.close()));
  });

  it('gives a client cut off by DeleteConnection, on its new connection, exactly what it missed', {
    timeout: 60_000,
  }, async () => {
    // Prepare: the reader joins alone (so the room's one item is its own), then the talker
    const reader = await join('delta');
    const [readerId] = await roomMemberIds(stack, 'delta');
    const talker = await join('delta');
    const witness = await join('delta');
    talker.sendJson({ message: 'before' });
    await until(() => messagesOf(reader).includes('before'));
    const lastSeen = eventsOf(reader).find((event) => event.type === 'message')?.id as string;
    const management = managementClient(stack);
    await management.send(new DeleteConnectionCommand({ ConnectionId: readerId }));
    await reader.closed;

    // Act: two messages while it is away, then it comes back asking for what came after
    talker.sendJson({ message: 'while away 1' });
    talker.sendJson({ message: 'while away 2' });
    // The room keeps a message before it broadcasts it: once the witness has both, both are kept
    await until(
      () =>
        messagesOf(witness).includes('while away 2') &&
        messagesOf(witness).includes('while away 1'),
    );
    const back = await join('delta');
    back.sendJson({ action: 'history', after: lastSeen });
    await until(() => eventsOf(back).some((event) => event.type === 'presence'));

    // Assess
    expect(messagesOf(back).toSorted()).toEqual(['while away 1', 'while away 2']);
    management.destroy();
    await Promise.all([talker.close(), witness.close(), back.close()]);
  });
});
