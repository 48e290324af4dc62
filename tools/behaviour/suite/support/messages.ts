/**
 * Small steps the suite's tests share: a client id, a message sent with one until it is
 * acknowledged, and the answers a client got for its messages.
 */
import { randomUUID } from 'node:crypto';
import type { ChatClient, ChatFrame } from '../../src/chat-client.ts';

/** Attempts of a message the chat refuses with `rate_limited`, as the page makes them. */
const ATTEMPTS = 8;

/**
 * A client id, as the page makes one.
 * @returns a UUID
 */
export function newClientId(): string {
  return randomUUID();
}

/**
 * Sends a chat message with a client id and waits for its ack. Like the page, it sends the
 * message again, with the same client id, after the wait a `rate_limited` refusal names: the
 * suite paces its frames to the chat's budget, but a frame may still reach the chat a little
 * early.
 * @param sender - the client
 * @param text - the message
 * @param clientId - its client id (a new one by default)
 * @param fields - more fields of the frame, e.g. `senderName`
 * @returns the ack
 */
export async function sendAndAwaitAck(
  sender: ChatClient,
  text: string,
  clientId: string = newClientId(),
  fields: Readonly<Record<string, unknown>> = {},
): Promise<ChatFrame> {
  const acks = (): ChatFrame[] =>
    sender.framesOf('ack').filter((frame) => frame.clientId === clientId);
  const refusals = (): ChatFrame[] =>
    sender
      .framesOf('error')
      .filter((frame) => frame.clientId === clientId && frame.code === 'rate_limited');
  const acksBefore = acks().length;
  for (let attempt = 1; ; attempt++) {
    const refusalsBefore = refusals().length;
    await sender.send({ ...fields, action: 'sendmessage', message: text, clientId });
    await sender.until(
      () => acks().length > acksBefore || refusals().length > refusalsBefore,
      `the ack of "${text}" came`,
    );
    const ack = acks()[acksBefore];
    if (ack !== undefined) return ack;
    if (attempt === ATTEMPTS)
      throw new Error(`"${text}" was refused ${ATTEMPTS} times: ${sender.received.join(' ')}`);
    await pause(refusals().at(-1)?.retryAfterMs ?? 1000);
  }
}

/**
 * Asks for the room's history (after a serial or a message id) and waits for the whole reply and
 * the count that follows it (a client of protocol 3 gets one), asking again after the wait a
 * `rate_limited` refusal names.
 * @param client - a client of protocol 3
 * @param after - a serial or a message id; the whole history when left out
 * @returns the reply's frames, in order, and the count
 */
export async function requestHistory(
  client: ChatClient,
  after?: number | string,
): Promise<{ history: ChatFrame[]; presence: ChatFrame }> {
  for (let attempt = 1; ; attempt++) {
    const seen = client.received.length;
    const since = (): ChatFrame[] => client.frames().slice(seen);
    const lastPart = (): number =>
      since().findIndex((frame) => frame.type === 'history' && frame.part === frame.parts);
    const refusal = (): ChatFrame | undefined =>
      since().find((frame) => frame.type === 'error' && frame.code === 'rate_limited');
    await client.send({ action: 'history', ...(after !== undefined && { after }) });
    await client.until(() => lastPart() >= 0 || refusal() !== undefined, 'the history came');
    if (lastPart() >= 0) {
      const countAfter = (): ChatFrame | undefined =>
        since().find((frame, index) => frame.type === 'presence' && index > lastPart());
      await client.until(() => countAfter() !== undefined, 'the count after the history came');
      const history = since().filter((frame) => frame.type === 'history');
      return { history, presence: countAfter() as ChatFrame };
    }
    if (attempt === ATTEMPTS) throw new Error(`the history request was refused ${ATTEMPTS} times`);
    await pause(refusal()?.retryAfterMs ?? 1000);
  }
}

/**
 * The outcome of each of `clientIds` for its sender so far: `ack`, or the error's code.
 * @param sender - the client
 * @param clientIds - the messages' client ids
 * @returns one outcome per answered message, in the order the answers came
 */
export function outcomesOf(sender: ChatClient, clientIds: readonly string[]): string[] {
  const wanted = new Set(clientIds);
  return sender
    .frames()
    .filter((frame) => frame.clientId !== undefined && wanted.has(frame.clientId))
    .map((frame) => (frame.type === 'ack' ? 'ack' : (frame.code ?? String(frame.type))));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
