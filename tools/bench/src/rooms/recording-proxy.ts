/**
 * A recording HTTP forwarder: the rooms benchmark puts one between the Lambda containers and
 * DynamoDB, and one between them and the `@connections` API, so it can count what the function
 * really asked of each (Query pages, items read, posts) instead of trusting what it says it did.
 * Every request goes on to the upstream as it came, and every answer comes back byte for byte
 * (DynamoDB's answers carry a CRC32 of the body that the SDK checks). The one change it may make
 * is to a request body, through `rewrite`.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { closeServer } from '../../../local-stack/src/listen.ts';

/** One request that went through, with its answer. */
export interface Exchange {
  readonly method: string;
  /** Path and query, e.g. `/prod/@connections/abc%3D`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as forwarded (after `rewrite`). */
  readonly requestBody: Buffer;
  readonly status: number;
  readonly responseBody: Buffer;
  /** From the request's arrival to the upstream's whole answer. */
  readonly durationMs: number;
}

/** Options of {@link startRecordingProxy}. */
export interface RecordingProxyOptions {
  /** Called with every exchange once its answer is complete. */
  readonly record: (exchange: Exchange) => void;
  /** Returns the body to forward instead of `body`, or undefined to forward it as it came. */
  readonly rewrite?: (headers: IncomingHttpHeaders, body: Buffer) => Buffer | undefined;
}

/** A running forwarder. */
export interface RecordingProxy {
  /** e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  /**
   * Sets where requests go (an origin such as `http://127.0.0.1:8000`). Until then every request
   * gets 503, so the proxy can be handed to a stack before the stack knows its own ports.
   */
  forwardTo(origin: string): void;
  stop(): Promise<void>;
}

/**
 * Starts a forwarder on 127.0.0.1.
 * @param options - what to record, and how to rewrite a request body
 * @returns the forwarder, not yet forwarding anywhere
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  let upstream: URL | undefined;
  // The containers keep their connections alive, and so does the proxy towards the upstream.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server: Server = createServer((request, response) => {
    const started = performance.now();
    const cut = (): void => void response.destroy();
    buffer(request).then((received) => {
      if (upstream === undefined) {
        response.writeHead(503).end();
        return;
      }
      const body = options.rewrite?.(request.headers, received) ?? received;
      // The body goes on whole, with its length: never in chunks, whatever the client did.
      const { 'transfer-encoding': _chunked, ...sent } = request.headers;
      const headers = { ...sent, 'content-length': String(body.length) };
      const forwarded = httpRequest(
        new URL(request.url ?? '/', upstream),
        { method: request.method, headers, agent },
        (answer) => {
          buffer(answer).then((responseBody) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers).end(responseBody);
            options.record({
              method: request.method ?? 'GET',
              path: request.url ?? '/',
              headers: request.headers,
              requestBody: body,
              status: answer.statusCode ?? 502,
              responseBody,
              durationMs: performance.now() - started,
            });
          }, cut);
        },
      );
      forwarded.on('error', cut);
      forwarded.end(body);
    }, cut);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo(origin) {
      upstream = new URL(origin);
    },
    async stop() {
      server.closeAllConnections();
      await closeServer(server);
      agent.destroy();
    },
  };
}
