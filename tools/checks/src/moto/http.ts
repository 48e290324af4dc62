/**
 * The HTTP plumbing of the moto front (front.ts) and the calls it answers itself: reading a
 * request, passing it on to moto, and writing JSON or XML answers.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/** What moto answered to a request passed on by {@link callMoto}. */
export interface MotoAnswer {
  readonly status: number;
  /** The AWS headers worth passing back: the error type and the request id. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Reads a request's whole body. */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A JSON object body, or `{}` for an empty, malformed or non-object one. */
export function parseObject(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Sends one request to moto with the original path and headers and collects its answer.
 * @param target - moto's base URL
 * @param original - the request as it reached the front (its body already read)
 * @param method - the method to send, usually the original's
 * @param body - the body to send
 */
export function callMoto(
  target: URL,
  original: IncomingMessage,
  method: string,
  body: Buffer,
): Promise<MotoAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...original.headers, 'content-length': String(body.length) };
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method, path: original.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const kept: Record<string, string> = {};
          for (const name of ['x-amzn-errortype', 'x-amzn-requestid']) {
            const value = answer.headers[name];
            if (typeof value === 'string') kept[name] = value;
          }
          resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** Passes a request on to moto unread, and its answer back unchanged. */
export function forward(request: IncomingMessage, response: ServerResponse, target: URL): void {
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502).end();
    else response.destroy();
  });
  request.pipe(upstream);
}

/** Answers with a JSON body (restJson1 services such as API Gateway v2). */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Answers with an XML body (restXml services such as S3 and CloudFront). */
export function sendXml(
  response: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(status, {
    ...headers,
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
