/**
 * A signed-in chat server the test plays itself, for the page's sign-in tests until the local
 * stack runs the authorizer (`npm start -- --auth`): every page's WebSocket is answered through
 * playwright's `routeWebSocket`, and each handshake is checked by the authorizer's own code
 * (backend/src/auth) against the test's issuer, exactly as API Gateway would run it. A refused
 * handshake closes before it opens, as a browser sees a 401. Accepted connections chat in rooms:
 * history, acks, and messages to the room's other connections with the verified `senderId` and
 * `senderName` the authorizer passed on.
 */
import type { BrowserContext, WebSocketRoute } from 'playwright-core';
import { loadAuthorizerConfig } from '../../../backend/src/auth/authorizer-config.ts';
import { createAuthorizer } from '../../../backend/src/auth/create-authorizer.ts';
import { createKeyFetcher } from '../../../backend/src/auth/key-fetcher.ts';
import { createTokenVerifier } from '../../../backend/src/auth/token-verifier.ts';
import contract from '../../../contract/contract.json' with { type: 'json' };

/** One handshake the page attempted. */
export interface Handshake {
  /** The subprotocols it offered. */
  readonly protocols: readonly string[];
  /** The token it offered, if any. */
  readonly token: string | undefined;
  /** Whether the authorizer let it through. */
  readonly accepted: boolean;
}

/** A connection the server accepted. */
interface Connection {
  readonly route: WebSocketRoute;
  readonly room: string;
  readonly senderId: string;
  readonly senderName: string;
}

/** The server, across every page attached to it. */
export interface SignedInChat {
  /** Every handshake, in order. */
  readonly handshakes: Handshake[];
  /** Every chat frame a page sent, parsed. */
  readonly frames: Record<string, unknown>[];
  /** Answers the WebSockets of every page of `context`. */
  attach(context: BrowserContext): Promise<void>;
  /** Refuses the next `count` handshakes whatever their token, as a server refusing it would. */
  refuseNext(count: number): void;
  /** Sends a frame to every open connection. */
  broadcast(frame: object): void;
  /** Closes every open connection, as API Gateway does after 2 hours or a deploy. */
  dropAll(): Promise<void>;
}

/** Plays the chat for `websocketUrl`, checking tokens of `issuer` for `clientId`. */
export function signedInChat(websocketUrl: string, issuer: string, clientId: string): SignedInChat {
  const config = loadAuthorizerConfig({
    AUTH_MODE: 'oidc',
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: clientId,
  });
  const authorize = createAuthorizer({
    verifier: createTokenVerifier(config, createKeyFetcher()),
    nameClaims: config.nameClaims,
    log: () => undefined,
  });
  const handshakes: Handshake[] = [];
  const frames: Record<string, unknown>[] = [];
  const open = new Set<Connection>();
  const rooms = new Map<string, Record<string, unknown>[]>();
  let refusalsLeft = 0;
  const prefix = contract.auth.tokenSubprotocolPrefix;

  async function accept(route: WebSocketRoute): Promise<void> {
    const protocols = route.protocols();
    const token = protocols.find((protocol) => protocol.startsWith(prefix))?.slice(prefix.length);
    const url = new URL(route.url());
    const room = url.searchParams.get('room') ?? contract.limits.defaultRoom;
    let context: Readonly<Record<string, string>> | undefined;
    if (refusalsLeft > 0) {
      refusalsLeft -= 1;
    } else {
      try {
        const result = await authorize({
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/$connect',
          headers: { 'Sec-WebSocket-Protocol': protocols.join(', ') },
          queryStringParameters: Object.fromEntries(url.searchParams),
        });
        context = result.context;
      } catch {
        context = undefined;
      }
    }
    handshakes.push({ protocols, token, accepted: context !== undefined });
    if (context === undefined) {
      // A refused handshake: the browser's socket closes without ever opening.
      await route.close({ code: 1006 });
      return;
    }
    const connection: Connection = {
      route,
      room,
      senderId: context.senderId ?? '',
      senderName: context.senderName ?? '',
    };
    open.add(connection);
    route.onClose(() => open.delete(connection));
    route.onMessage((data) => {
      if (typeof data !== 'string') return;
      const frame = JSON.parse(data) as Record<string, unknown>;
      frames.push(frame);
      receive(connection, frame);
    });
  }

  function receive(connection: Connection, frame: Record<string, unknown>): void {
    const history = rooms.get(connection.room) ?? [];
    rooms.set(connection.room, history);
    if (frame.action === 'ping') return;
    if (frame.action === 'history') {
      const after = typeof frame.after === 'number' ? frame.after : 0;
      connection.route.send(
        JSON.stringify({
          type: 'history',
          room: connection.room,
          messages: history.filter((message) => (message.seq as number) > after),
          part: 1,
          parts: 1,
          head: history.length,
          oldest: 1,
        }),
      );
      return;
    }
    const seq = history.length + 1;
    const id = `01KSIGNEDIN${String(seq).padStart(15, '0')}`;
    const message = {
      type: 'message',
      id,
      seq,
      room: connection.room,
      message: frame.message,
      // The verified sender, never what the frame says.
      senderName: connection.senderName,
      senderId: connection.senderId,
      senderGravatar: frame.senderGravatar ?? '',
      sentAt: new Date().toISOString(),
    };
    history.push(message);
    connection.route.send(
      JSON.stringify({ type: 'ack', clientId: frame.clientId, id, seq, room: connection.room }),
    );
    for (const other of open) {
      if (other !== connection && other.room === connection.room) {
        other.route.send(JSON.stringify(message));
      }
    }
  }

  return {
    handshakes,
    frames,
    async attach(context) {
      await context.routeWebSocket(
        (url) => url.href.startsWith(websocketUrl),
        (route) => accept(route),
      );
    },
    refuseNext(count) {
      refusalsLeft = count;
    },
    broadcast(frame) {
      for (const connection of open) connection.route.send(JSON.stringify(frame));
    },
    async dropAll() {
      const closing = [...open];
      open.clear();
      await Promise.all(closing.map((connection) => connection.route.close({ code: 1001 })));
    },
  };
}
