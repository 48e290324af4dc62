import { afterEach, describe, expect, it } from 'vitest';
import type { BareWsServer } from '../../src/load/bare-ws-server.ts';
import { startBareWsServer } from '../../src/load/bare-ws-server.ts';
import { toOutgoingEvent } from '../../src/load/chat-event.ts';
import { pickSender, runLoad } from '../../src/load/generator.ts';
import { deliveredOnce, loadOptions } from '../support/load-helpers.ts';

let server: BareWsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('toOutgoingEvent', () => {
  it('builds the chat event with only the protocol fields', () => {
    // Act
    const event = JSON.parse(
      toOutgoingEvent('{"message":"hi","senderName":"Ann","extra":1}') ?? '',
    );

    // Assess
    expect(Object.keys(event).sort()).toEqual(['message', 'senderName', 'sentAt', 'type']);
    expect(event).toMatchObject({ type: 'message', message: 'hi', senderName: 'Ann' });
  });

  it.each(['not json', '[]', '{"message":"  "}', '{"message":3}'])('ignores %j', (frame) => {
    // Act / Assess
    expect(toOutgoingEvent(frame)).toBeUndefined();
  });
});

describe('pickSender', () => {
  it('spreads the senders evenly over the connected clients', () => {
    // Act
    const senders = Array.from({ length: 6 }, (_, k) => pickSender(k, 100, 3));

    // Assess
    expect(senders).toEqual([0, 33, 66, 0, 33, 66]);
    expect(pickSender(7, 5, 0)).toBe(2);
  });
});

describe('runLoad against the bare ws server', () => {
  it('delivers every message to every other client exactly once', async () => {
    // Prepare
    server = await startBareWsServer(0);

    // Act
    const result = await runLoad(loadOptions(server.websocketUrl));

    // Assess
    expect(result.clientsConnected).toBe(6);
    expect(result.connectFailures).toBe(0);
    expect(result.delivery).toEqual(deliveredOnce(5));
    expect(result.allReceived.count).toBe(5);
    expect(result.eachReceipt.count).toBe(5 * 5);
    expect(result.aborted).toBe(false);
  });

  it('sends at a set rate and still accounts for every receipt', async () => {
    // Prepare
    server = await startBareWsServer(0);

    // Act
    const result = await runLoad(loadOptions(server.websocketUrl, { rate: 50, senders: 2 }));

    // Assess
    expect(result.delivery.messagesComplete).toBe(5);
    expect(result.delivery.receiptsLost).toBe(0);
  });

  it('counts the receipts a broken server never delivers as lost', async () => {
    // Prepare: a server that accepts connections and swallows every message
    const { WebSocketServer } = await import('ws');
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');

    // Act
    const result = await runLoad(
      loadOptions(`ws://127.0.0.1:${address.port}`, {
        clients: 3,
        messages: 2,
        warmup: 0,
        messageTimeoutMs: 50,
      }),
    );
    for (const client of silent.clients) client.terminate();
    await new Promise((resolve) => silent.close(resolve));

    // Assess: 2 messages x 2 recipients
    expect(result.delivery.receiptsLost).toBe(4);
    expect(result.delivery.messagesComplete).toBe(0);
  });

  it('reports connect failures with their reason instead of throwing', async () => {
    // Prepare: a port that was free a moment ago, so nothing listens there
    server = await startBareWsServer(0);
    const closedUrl = server.websocketUrl;
    await server.stop();
    server = undefined;

    // Act
    const result = await runLoad(loadOptions(closedUrl, { clients: 2 }));

    // Assess
    expect(result.clientsConnected).toBe(0);
    expect(result.connectFailures).toBe(2);
    expect(Object.keys(result.connectFailureReasons).join()).toMatch(/ECONNREFUSED/);
  });

  it('stops when aborted and keeps the figures measured until then', async () => {
    // Prepare
    server = await startBareWsServer(0);
    const controller = new AbortController();

    // Act: abort as soon as everyone is connected, before the first message
    const result = await runLoad(
      loadOptions(server.websocketUrl, {
        signal: controller.signal,
        onAllConnected: async () => controller.abort(),
      }),
    );

    // Assess
    expect(result.aborted).toBe(true);
    expect(result.clientsConnected).toBe(6);
    expect(result.delivery.messagesSent).toBe(0);
  });
});
