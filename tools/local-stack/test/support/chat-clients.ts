/**
 * Chat clients for the integration tests that run the real bundle: real `ws` clients that join a
 * room as the page (protocol 3) or as the reference design's page (no version), send messages
 * with a client id, and read the frames they got. A crowd of them fills a room large enough to be
 * split into shards. waitUntil is how every test waits for something to happen: it polls with a
 * generous limit and fails naming what it waited for, never asserting how long it took.
 */
import type { LocalStack } from '../../src/stack.ts';
import { roomMemberIds, sleep, TestClient } from './helpers.ts';

/** A frame the chat's server sends, loosely typed: tests read the fields they check. */
export interface ServerFrame {
  readonly type?: string;
  readonly id?: string;
  readonly seq?: number;
  readonly room?: string;
  readonly clientId?: string;
  readonly message?: string;
  readonly code?: string;
  readonly members?: number;
  readonly count?: number;
  readonly unreached?: number;
  readonly messages?: readonly ServerFrame[];
  readonly head?: number;
  readonly oldest?: number;
  readonly part?: number;
  readonly parts?: number;
}

/** How long a test waits for something the chat does at once, on a loaded 2-core machine. */
export const PATIENCE_MS = 60_000;

/**
 * Waits until `condition` holds, looking every 25 ms; fails after `timeoutMs`, naming `what`.
 * @param condition - what must become true
 * @param what - what is waited for, for the failure's message
 * @param timeoutMs - how long at most
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = PATIENCE_MS,
): Promise<void> {
  const startedAt = Date.now();
  while (!(await condition())) {
    if (Date.now() - startedAt > timeoutMs) {
      throw new Error(`Still waiting after ${timeoutMs} ms for ${what}`);
    }
    await sleep(25);
  }
}

/**
 * Waits for a promise, failing after `timeoutMs` with what was waited for.
 * @param promise - what must settle
 * @param what - what is waited for, for the failure's message
 * @param timeoutMs - how long at most
 * @returns the promise's value
 */
export async function settled<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = PATIENCE_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Still waiting after ${timeoutMs} ms for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every frame a client got, parsed. */
export function framesOf(client: TestClient): ServerFrame[] {
  return client.received.map((text) => JSON.parse(text) as ServerFrame);
}

/** The live chat messages a client got (history frames not included). */
export function chatOf(client: TestClient): ServerFrame[] {
  return framesOf(client).filter((frame) => frame.type === 'message');
}

/** The live copies of one message (by its server id) a client got: 1 when delivered once. */
export function copiesOf(client: TestClient, id: string): number {
  return chatOf(client).filter((frame) => frame.id === id).length;
}

/** Which protocol a client speaks: the page's (3), or the reference design's (no version). */
export type ClientProtocol = 'v3' | 'old';

/**
 * Joins a room as a client of protocol 3, or as an old client whose URL names no version.
 * @param stack - the running stack
 * @param room - the room
 * @param protocol - `v3` (default) or `old`
 * @returns the connected client
 */
export function joinRoom(
  stack: Pick<LocalStack, 'websocketUrl'>,
  room: string,
  protocol: ClientProtocol = 'v3',
): Promise<TestClient> {
  return TestClient.connect(`${stack.websocketUrl}?room=${room}${protocol === 'v3' ? '&v=3' : ''}`);
}

/**
 * Fills a room: `count` clients of protocol 3, a few joining at a time, so `$connect` never waits
 * long behind the stack's Lambda concurrency.
 * @param stack - the running stack
 * @param room - the room
 * @param count - how many
 * @returns the clients, in the order they joined
 */
export async function joinCrowd(
  stack: Pick<LocalStack, 'websocketUrl'>,
  room: string,
  count: number,
): Promise<TestClient[]> {
  const crowd: TestClient[] = [];
  const atOnce = 20;
  for (let start = 0; start < count; start += atOnce) {
    const size = Math.min(atOnce, count - start);
    crowd.push(...(await Promise.all(Array.from({ length: size }, () => joinRoom(stack, room)))));
  }
  return crowd;
}

/**
 * Joins a room and finds the connection id the function stored for the client: the one id the
 * room's index gained. Only while nobody else joins or leaves the room.
 * @param stack - the running stack
 * @param room - the room
 * @param protocol - `v3` (default) or `old`
 * @returns the client and its connection id
 */
export async function joinWithConnectionId(
  stack: Pick<
    LocalStack,
    'websocketUrl' | 'managementEndpoint' | 'dynamoEndpoint' | 'region' | 'tableName'
  >,
  room: string,
  protocol: ClientProtocol = 'v3',
): Promise<{ client: TestClient; connectionId: string }> {
  const before = new Set(await roomMemberIds(stack, room));
  const client = await joinRoom(stack, room, protocol);
  // $connect has stored the item before the handshake completes.
  const added = (await roomMemberIds(stack, room)).filter((id) => !before.has(id));
  if (added.length !== 1) {
    throw new Error(`Expected one new connection in ${room}, found ${added.length}`);
  }
  return { client, connectionId: added[0] as string };
}

/**
 * Waits until every client has been told the room's head count is `count` (a presence frame):
 * the joins before it are then over, their reads and their posts to the room.
 * @param clients - every client of protocol 3 in the room
 * @param count - the room's head count
 */
export async function toldTheRoomHas(clients: readonly TestClient[], count: number): Promise<void> {
  await waitUntil(
    () =>
      clients.every((client) =>
        framesOf(client).some((frame) => frame.type === 'presence' && frame.count === count),
      ),
    `every member to be told the room has ${count}`,
  );
}

/** Sends a chat message with a client id, as the page does. */
export function sendWithClientId(client: TestClient, text: string, clientId: string): void {
  client.sendJson({ action: 'sendmessage', message: text, clientId });
}

/**
 * The frame of `type` naming `clientId` that the client got, once it has it.
 * @param client - the sender
 * @param type - `ack`, `delivery_incomplete` or `error`
 * @param clientId - the message's client id
 * @returns the first such frame
 */
export async function receiptFor(
  client: TestClient,
  type: 'ack' | 'delivery_incomplete' | 'error',
  clientId: string,
): Promise<ServerFrame> {
  const find = (): ServerFrame | undefined =>
    framesOf(client).find((frame) => frame.type === type && frame.clientId === clientId);
  await waitUntil(() => find() !== undefined, `${type} of ${clientId}`);
  return find() as ServerFrame;
}

/**
 * Sends a message with a client id and waits for its ack.
 * @returns the ack
 */
export function sendAndWaitForAck(
  client: TestClient,
  text: string,
  clientId: string,
): Promise<ServerFrame> {
  sendWithClientId(client, text, clientId);
  return receiptFor(client, 'ack', clientId);
}

/**
 * Asks for the room's history and waits for every part of the reply.
 * @param client - the asking client
 * @param after - a serial: only what came after it
 * @returns the messages of every part, and the reply's head and oldest serials
 */
export async function requestHistory(
  client: TestClient,
  after?: number,
): Promise<{ messages: ServerFrame[]; head: number | undefined; oldest: number | undefined }> {
  const from = client.received.length;
  client.sendJson(after === undefined ? { action: 'history' } : { action: 'history', after });
  const parts = (): ServerFrame[] =>
    framesOf(client)
      .slice(from)
      .filter((frame) => frame.type === 'history');
  await waitUntil(() => {
    const last = parts().at(-1);
    return last !== undefined && last.part === last.parts;
  }, 'a whole history reply');
  const reply = parts();
  return {
    messages: reply.flatMap((part) => part.messages ?? []),
    head: reply.at(-1)?.head,
    oldest: reply.at(-1)?.oldest,
  };
}

/** Closes every client that is still open. */
export async function closeAll(clients: readonly TestClient[]): Promise<void> {
  await Promise.all(
    clients.map((client) =>
      client.socket.readyState === client.socket.OPEN ? client.close() : client.closed,
    ),
  );
}
