/**
 * Limits, close codes and refusals, driven from outside (docs/protocol.md#limits and
 * #error-codes): what API Gateway closes the connection for (an oversized frame or message, a
 * binary frame), and what the function answers with an error frame, keeping the connection and
 * passing nothing on.
 */
import { describe, expect, it } from 'vitest';
import { maxFrameBytes } from '../../../backend/src/protocol/message.ts';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { fetchPageConfig } from '../src/page-config.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { newClientId, outcomesOf, sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite();

const TIMEOUT = { timeout: 120_000 };
const { maxFrameBytes: gatewayFrameBytes, maxMessageBytes: gatewayMessageBytes } =
  contract.apiGateway;

/** Splits a text into fragments of at most `size` characters. */
function fragments(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += size)
    parts.push(text.slice(start, start + size));
  return parts;
}

describe("API Gateway's limits", () => {
  it('closes the connection with 1009 on a frame over 32 KB', TIMEOUT, async () => {
    const client = await suite.join(suite.room('big-frame'));
    client.sendRaw(JSON.stringify({ message: 'x'.repeat(gatewayFrameBytes + 1024) }));
    expect((await client.closed).code).toBe(1009);
  });

  it(
    'closes the connection with 1009 on a message over 128 KB, even in frames of 32 KB',
    TIMEOUT,
    async () => {
      const client = await suite.join(suite.room('big-message'));
      const parts = fragments('z'.repeat(gatewayMessageBytes + 1024), gatewayFrameBytes);
      parts.forEach((part, index) => {
        client.sendRaw(part, { fin: index === parts.length - 1 });
      });
      expect((await client.closed).code).toBe(1009);
    },
  );

  it('closes the connection with 1003 on a binary frame', TIMEOUT, async () => {
    const client = await suite.join(suite.room('binary'));
    client.sendRaw(Buffer.from(JSON.stringify({ message: 'in binary' })), { binary: true });
    expect((await client.closed).code).toBe(1003);
  });
});

describe("the chat's own limits", () => {
  it(
    'answers a frame larger than any valid message with payload_too_large, and keeps the connection',
    TIMEOUT,
    async () => {
      // Prepare: over the chat's limit, under API Gateway's
      const room = suite.room('too-large');
      const client = await suite.join(room);
      const listener = await suite.join(room);
      const size = maxFrameBytes(suite.target.limits.maxMessageLength) + 1;
      expect(size).toBeLessThan(gatewayFrameBytes);

      // Act
      await client.sendText(JSON.stringify({ message: 'x', pad: 'p'.repeat(size) }));
      const refusal = await client.waitFor((frame) => frame.type === 'error', 'an error');
      await sendAndAwaitAck(client, 'still here');

      // Assess
      expect(refusal.code).toBe('payload_too_large');
      expect(await listener.waitForMessage('still here')).toBeDefined();
      expect(listener.texts()).toEqual(['still here']);
    },
  );

  it('answers what is not JSON, or not an object, with an error frame', TIMEOUT, async () => {
    // Prepare
    const client = await suite.join(suite.room('not-json'));

    // Act
    for (const text of ['{"message": "unclosed', '["message"]', '"message"', 'null']) {
      await client.sendText(text);
    }
    await client.until(() => client.framesOf('error').length === 4, 'four errors came');

    // Assess
    // Frames are handled by invocations that run side by side: the answers come in any order.
    expect(
      client
        .framesOf('error')
        .map((frame) => frame.code)
        .toSorted(),
    ).toEqual(['invalid_json', 'not_an_object', 'not_an_object', 'not_an_object']);
    expect(client.framesOf('error')[0]?.message).toEqual(expect.any(String));
  });

  it(
    'refuses each bad field with its own code, naming the client id, and passes none of them on',
    TIMEOUT,
    async () => {
      // Prepare
      const room = suite.room('bad-fields');
      const sender = await suite.join(room);
      const listener = await suite.join(room);
      const limit = suite.target.limits.maxMessageLength;
      // Signed in, a frame's senderName is not read at all: those frames are accepted.
      const nameCode = (code: string): string => (suite.target.signIn.on ? 'ack' : code);
      const cases: readonly [Record<string, unknown>, string][] = [
        [{}, 'message_required'],
        [{ message: 42 }, 'message_required'],
        [{ message: ' \n\t ' }, 'message_empty'],
        [{ message: 'x'.repeat(limit + 1) }, 'message_too_long'],
        [{ message: 'a\u0000b' }, 'message_invalid_characters'],
        [{ message: 'evil\u202Etxt.exe' }, 'message_invalid_characters'],
        [{ message: '\u200B\u200D' }, 'message_invisible'],
        [{ message: 'ok', senderName: 7 }, nameCode('sender_name_invalid')],
        [{ message: 'ok', senderName: 'n'.repeat(65) }, nameCode('sender_name_too_long')],
        [{ message: 'ok', senderName: 'a\tb' }, nameCode('sender_name_invalid_characters')],
        [{ message: 'ok', senderName: '\u200B' }, nameCode('sender_name_invisible')],
        [{ message: 'ok', senderGravatar: 'ada@example.com' }, 'sender_gravatar_invalid'],
        [{ message: 'x'.repeat(limit) }, 'ack'],
      ];

      // Act
      const ids: string[] = [];
      for (const [fields] of cases) {
        const clientId = newClientId();
        ids.push(clientId);
        await sender.send({ ...fields, clientId });
      }
      await sender.until(
        () => outcomesOf(sender, ids).length === ids.length,
        'every frame was answered',
      );
      await sender.send({ message: 'hello', clientId: 'has spaces' });
      await sender.send({ action: 'history', after: -1 });
      const refusals = cases.filter(([, code]) => code !== 'ack').length;
      await sender.until(() => sender.framesOf('error').length === refusals + 2, 'all errors came');
      await sendAndAwaitAck(sender, 'the end');
      await listener.waitForMessage('the end');

      // Assess: each frame's own answer, in order
      const answers = ids.map((id) => outcomesOf(sender, [id])[0]);
      expect(answers).toEqual(cases.map(([, code]) => code));
      // The last two were handled side by side: their answers come in either order.
      const lastErrors = sender.framesOf('error').slice(-2);
      expect(lastErrors.map((frame) => frame.code).toSorted()).toEqual([
        'client_id_invalid',
        'history_after_invalid',
      ]);
      expect(lastErrors.find((frame) => frame.code === 'client_id_invalid')).not.toHaveProperty(
        'clientId',
      );
      // Only what was accepted reached the room
      const accepted = cases.filter(([, code]) => code === 'ack').map(([fields]) => fields.message);
      expect(listener.texts()).toEqual([...accepted, 'the end']);
    },
  );

  it('refuses unknown actions and never passes them to the room', TIMEOUT, async () => {
    // Prepare
    const room = suite.room('action');
    const sender = await suite.join(room);
    const watcher = await suite.join(room);

    // Act: an unknown action with a message, one without, then a real message
    await sender.send({ action: 'nope', message: 'not a chat message', clientId: newClientId() });
    await sender.send({ action: 'nope' });
    await sender.until(
      () =>
        sender.framesOf('error').filter((frame) => frame.code === 'unknown_action').length === 2,
      'two unknown_action errors came',
    );
    const real = newClientId();
    await sender.send({ message: 'a real one 0', clientId: real });
    await watcher.waitForMessage('a real one 0');
    await sender.waitFor((frame) => frame.clientId === real && frame.type === 'ack', 'its ack');

    // Assess
    expect(
      sender.framesOf('error').filter((frame) => frame.code === 'unknown_action'),
    ).toHaveLength(2);
    expect(outcomesOf(sender, [real])).toEqual(['ack']);
    expect(watcher.texts()).toEqual(['a real one 0']);
  });

  it(
    "follows the function's MAX_MESSAGE_LENGTH: config.js tells the page, and one more is refused",
    TIMEOUT,
    async (context) => {
      suite.need(context, 'environment');
      // Prepare
      const limit = 500;
      const stack = await suite.withEnvironment({
        [contract.environment.maxMessageLength]: String(limit),
      });
      const client = await suite.join(suite.room('env-limit'), { target: stack });

      // Act
      const config = await fetchPageConfig(stack.pageUrl);
      const [atLimit, overLimit] = [newClientId(), newClientId()];
      await client.send({ message: 'x'.repeat(limit), clientId: atLimit });
      await client.send({ message: 'x'.repeat(limit + 1), clientId: overLimit });
      await client.until(
        () => outcomesOf(client, [atLimit, overLimit]).length === 2,
        'both answered',
      );

      // Assess
      expect(config.maxMessageLength).toBe(limit);
      expect(outcomesOf(client, [atLimit])).toEqual(['ack']);
      expect(outcomesOf(client, [overLimit])).toEqual(['message_too_long']);
    },
  );
});
