/**
 * Connections closed by the server, driven from outside with the runner's own `@connections`
 * calls: DeleteConnection closes a member, the chat forgets it (through its `$disconnect`, or
 * through the 410 Gone its next broadcast gets, whichever comes first), so the room's count is
 * right again; and a member cut off so catches up on what it missed when it comes back.
 *
 * Finding a connection's id takes the connections table: a member joins a room alone, and the
 * room's one id is its own.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatClient } from '../src/chat-client.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { requestHistory, sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite();

beforeEach((context) => {
  suite.need(context, 'management', 'connectionIds');
});

const TIMEOUT = { timeout: 120_000 };

/** The room's connection ids, as the chat stores them. */
function idsOf(room: string): Promise<string[]> {
  const read = suite.target.connectionIds;
  if (read === undefined) throw new Error('the target cannot read connection ids');
  return read(room);
}

/** Joins a room nobody is in yet, and returns the client with its connection id. */
async function joinAlone(room: string): Promise<{ client: ChatClient; connectionId: string }> {
  const client = await suite.join(room);
  // $connect has stored the connection before the handshake completes.
  const ids = await idsOf(room);
  expect(ids).toHaveLength(1);
  return { client, connectionId: ids[0] as string };
}

/** DeleteConnection through `@connections`, with the runner's credentials. */
async function deleteConnection(connectionId: string): Promise<void> {
  const remove = suite.target.deleteConnection;
  if (remove === undefined) throw new Error('the target cannot call @connections');
  await remove(connectionId);
}

describe('DeleteConnection', () => {
  it(
    'closes the member; the next messages reach the others, and the room counts it out',
    TIMEOUT,
    async (context) => {
      // Prepare
      const room = suite.room('deleted');
      const { client: gone, connectionId } = await joinAlone(room);
      const talker = await suite.join(room);
      const witness = await suite.join(room);

      // Act
      await deleteConnection(connectionId);
      const closed = await gone.closed;
      await sendAndAwaitAck(talker, 'after the delete');
      await witness.waitForMessage('after the delete');

      // Assess: the chat forgot the id, and a message after that carries the true count
      await expect.poll(() => idsOf(room), { timeout: 30_000 }).not.toContain(connectionId);
      expect(await idsOf(room)).toHaveLength(2);
      await sendAndAwaitAck(talker, 'two of us');
      expect(await witness.waitForMessage('two of us')).toMatchObject({ members: 2 });
      // AWS does not document the close code a client sees after DeleteConnection: say which it was.
      await context.annotate(`the deleted connection was closed with ${closed.code}`);
    },
  );

  it(
    'gives a client cut off by DeleteConnection, on its new connection, exactly what it missed',
    TIMEOUT,
    async () => {
      // Prepare: the reader joins alone (so the room's one item is its own), then the talker
      const room = suite.room('cut-off');
      const { client: reader, connectionId } = await joinAlone(room);
      const talker = await suite.join(room);
      const witness = await suite.join(room);
      await talker.send({ message: 'before' });
      const lastSeen = (await reader.waitForMessage('before')).id as string;
      await deleteConnection(connectionId);
      await reader.closed;

      // Act: two messages while it is away, then it comes back asking for what came after
      await talker.send({ message: 'while away 1' });
      await talker.send({ message: 'while away 2' });
      // The room keeps a message before it broadcasts it: once the witness has both, both are kept
      await witness.waitForMessage('while away 1');
      await witness.waitForMessage('while away 2');
      const back = await suite.join(room);
      const { history } = await requestHistory(back, lastSeen);

      // Assess
      const everything = [...history.flatMap((frame) => frame.messages ?? []), ...back.messages()];
      expect(everything.map((message) => message.message).toSorted()).toEqual([
        'while away 1',
        'while away 2',
      ]);
    },
  );
});
