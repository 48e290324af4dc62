/**
 * PostToConnection, the one call a broadcast makes thousands of times. Two paths send it:
 *
 * - {@link sdkPoster}: `ApiGatewayManagementApiClient.send(PostToConnectionCommand)`, the client
 *   of record, used for single replies (errors, history) and as the reference in tests.
 * - {@link signedPoster}: the same client's own SigV4 signer (`client.config.signer`, so the same
 *   credentials, region and signing rules) with one keep-alive `node:http(s)` agent. It skips the
 *   SDK's per-request middleware, schema and endpoint machinery, which is most of the SDK path's
 *   CPU per post (measured by `npm run bench -- --only fanout`; see docs/fanout.md, Cheaper posts).
 *   On a Lambda with a fraction of a vCPU, CPU per post decides how many recipients one
 *   invocation can serve before its deadline.
 *
 * Both reject with a {@link PostToConnectionError} whose `name` is the service's error type
 * (`GoneException`, `ForbiddenException`, `PayloadTooLargeException`, `LimitExceededException`)
 * and whose `kind` says what the failure means for a broadcast.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { PostToConnectionError, toPostToConnectionError } from '../errors.ts';

/** Sends `data` to one connection; rejects with a {@link PostToConnectionError}. */
export type PostToConnection = (connectionId: string, data: Uint8Array) => Promise<void>;

/** Error types by status, for a response that names none (the SDK would say "Unknown"). */
const ERROR_TYPES_BY_STATUS: Readonly<Record<number, string>> = {
  403: 'ForbiddenException',
  410: 'GoneException',
  413: 'PayloadTooLargeException',
  429: 'LimitExceededException',
};

/**
 * The SDK path: one `PostToConnectionCommand` per post.
 * @param client - the management API client (its endpoint includes the stage)
 * @returns the poster
 */
export function sdkPoster(client: ApiGatewayManagementApiClient): PostToConnection {
  return async (connectionId, data) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
    } catch (error) {
      throw toPostToConnectionError(error);
    }
  };
}

/** Options of {@link signedPoster}. */
export interface SignedPosterOptions {
  /** Its endpoint, credentials, region and signer are used; nothing else of it. */
  readonly client: ApiGatewayManagementApiClient;
  /** `https://{domain}/{stage}` (or the local stack's `http://…/{stage}`). */
  readonly endpoint: string;
  /** Sockets kept open to the endpoint: the broadcast's concurrency. */
  readonly maxSockets: number;
  /** A post that has no answer after this long fails (and is retried by the broadcast). */
  readonly timeoutMs: number;
}

/**
 * The lean path: SigV4-signed HTTP requests built from the client's own configuration.
 * @param options - the client whose signer and credentials to use, the endpoint, sockets, timeout
 * @returns the poster
 */
export function signedPoster(options: SignedPosterOptions): PostToConnection {
  const url = new URL(options.endpoint);
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const port = url.port === '' ? undefined : Number(url.port);
  const basePath = url.pathname.replace(/\/+$/, '');
  // The client's signer is built once per client (and rebuilt only when its config changes).
  let signer: ReturnType<ApiGatewayManagementApiClient['config']['signer']> | undefined;

  return async (connectionId, data) => {
    // An empty auth scheme: the client fills in its own signing name and region (SigV4).
    signer ??= options.client.config.signer(
      {} as Parameters<typeof options.client.config.signer>[0],
    );
    const path = `${basePath}/@connections/${encodePathSegment(connectionId)}`;
    const signed = await (await signer).sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/octet-stream',
        'content-length': String(data.byteLength),
      },
      body: data,
    });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = send(
        {
          agent,
          method: 'POST',
          hostname: url.hostname,
          port,
          path,
          headers: signed.headers,
          timeout: options.timeoutMs,
        },
        resolve,
      );
      request.on('timeout', () => request.destroy(timeoutError(options.timeoutMs)));
      request.on('error', (error) => reject(toPostToConnectionError(error)));
      request.end(data);
    });
    // The body is empty or a short JSON error; drain it so the socket returns to the pool.
    response.resume();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const header = response.headers['x-amzn-errortype'];
    const type = (Array.isArray(header) ? header[0] : header)?.split(/[:#]/)[0];
    throw new PostToConnectionError(type || (ERROR_TYPES_BY_STATUS[status] ?? 'Unknown'), status);
  };
}

/** Encodes a path segment as the SDK does (RFC 3986: `!'()*` too). */
function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`No answer from the management API within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}
