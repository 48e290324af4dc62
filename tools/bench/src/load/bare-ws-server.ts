/**
 * The lower bound for the load benchmark: a bare `ws` broadcast server speaking the chat's
 * protocol (client `{"message","senderName"}` in, `{"type":"message",...,"sentAt"}` out to every
 * other client) with no Lambda, no DynamoDB and no management API in between. Whatever our stack
 * adds on top of this is the price of the serverless design.
 */

import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { toOutgoingEvent } from './chat-event.ts';

/** A running bare broadcast server. */
export interface BareWsServer {
  readonly websocketUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the bare broadcast server on 127.0.0.1.
 * @param port - TCP port; 0 picks a free one
 * @returns its URL and a stop function
 */
export async function startBareWsServer(port = 0): Promise<BareWsServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const outgoing = toOutgoingEvent(data.toString());
      if (outgoing !== undefined) broadcastExcept(server.clients, socket, outgoing);
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bare server has no port');
  return {
    websocketUrl: `ws://127.0.0.1:${address.port}`,
    stop: () => stopServer(server),
  };
}

function broadcastExcept(clients: Set<WebSocket>, sender: WebSocket, data: string): void {
  for (const client of clients) {
    if (client !== sender && client.readyState === client.OPEN) client.send(data);
  }
}

function stopServer(server: WebSocketServer): Promise<void> {
  for (const client of server.clients) client.terminate();
  return new Promise((resolve) => server.close(() => resolve()));
}
