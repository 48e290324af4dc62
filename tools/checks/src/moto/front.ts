/**
 * A proxy in front of moto_server, where the AWS provider is pointed. It answers the API Gateway
 * v2 deployment calls moto lacks (CreateDeployment, GetDeployment, DeleteDeployment,
 * GetDeployments), shaped as the API Reference describes them (restJson1, lower camel case:
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html), and
 * keeps each stage's `deploymentId`, which moto drops (its UpdateStage fails outright). On request
 * it refuses S3 PutBucketPolicy calls with S3's AccessDenied, as S3 does for a while after a
 * bucket's public access block changed. Every other request goes to moto unchanged.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A deployment as the API returns it. */
export interface Deployment {
  readonly deploymentId: string;
  readonly deploymentStatus: 'DEPLOYED';
  readonly createdDate: string;
  readonly autoDeployed: boolean;
  readonly description?: string;
}

/** The running proxy. */
export interface MotoFront {
  /** Point the AWS provider (AWS_ENDPOINT_URL) here instead of at moto. */
  readonly endpoint: string;
  /** Deployments that exist now, by API id. */
  readonly deployments: ReadonlyMap<string, ReadonlyMap<string, Deployment>>;
  /** Refuse the next `count` PutBucketPolicy calls with 403 AccessDenied. */
  refuseBucketPolicies(count: number): void;
  /** PutBucketPolicy calls refused so far. */
  readonly refusedBucketPolicies: number;
  stop(): Promise<void>;
}

const DEPLOYMENTS_PATH = /^\/v2\/apis\/([^/]+)\/deployments(?:\/([^/]+))?$/;
const STAGES_PATH = /^\/v2\/apis\/([^/]+)\/stages(?:\/([^/]+))?$/;
const API_PATH = /^\/v2\/apis\/([^/]+)$/;

/**
 * Starts the proxy on a free loopback port.
 * @param upstream - moto_server's base URL, e.g. `http://127.0.0.1:5000`
 */
export async function startMotoFront(upstream: string): Promise<MotoFront> {
  const deployments = new Map<string, Map<string, Deployment>>();
  /** `${apiId}/${stageName}` -> the deployment the stage serves. */
  const stageDeployments = new Map<string, string>();
  const target = new URL(upstream);
  let toRefuse = 0;
  let refused = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://front');
    const path = url.pathname;
    // Path-style PutBucketPolicy: PUT /{bucket}?policy
    if (toRefuse > 0 && request.method === 'PUT' && url.searchParams.has('policy')) {
      toRefuse -= 1;
      refused += 1;
      request.resume();
      sendAccessDenied(response);
      return;
    }
    const match = DEPLOYMENTS_PATH.exec(path);
    if (match?.[1] !== undefined) {
      answerDeployments(request, response, deployments, match[1], match[2]).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
      return;
    }
    const stage = STAGES_PATH.exec(path);
    if (stage?.[1] !== undefined) {
      answerStages(request, response, target, stageDeployments, stage[1], stage[2]).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
      return;
    }
    // Deleting an API deletes its deployments with it, as on AWS.
    const api = API_PATH.exec(path);
    if (request.method === 'DELETE' && api?.[1] !== undefined) deployments.delete(api[1]);
    forward(request, response, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    deployments,
    refuseBucketPolicies: (count) => {
      toRefuse = count;
    },
    get refusedBucketPolicies() {
      return refused;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answerDeployments(
  request: IncomingMessage,
  response: ServerResponse,
  deployments: Map<string, Map<string, Deployment>>,
  apiId: string,
  deploymentId: string | undefined,
): Promise<void> {
  const body = await readBody(request);
  const ofApi = deployments.get(apiId) ?? new Map<string, Deployment>();
  if (request.method === 'POST' && deploymentId === undefined) {
    const input =
      body.length > 0 ? (JSON.parse(body.toString('utf8')) as { description?: string }) : {};
    const deployment: Deployment = {
      deploymentId: randomBytes(4).toString('hex'),
      deploymentStatus: 'DEPLOYED',
      createdDate: new Date().toISOString(),
      autoDeployed: false,
      ...(input.description === undefined ? {} : { description: input.description }),
    };
    ofApi.set(deployment.deploymentId, deployment);
    deployments.set(apiId, ofApi);
    sendJson(response, 201, deployment);
  } else if (request.method === 'GET' && deploymentId === undefined) {
    sendJson(response, 200, { items: [...ofApi.values()] });
  } else if (deploymentId === undefined || !ofApi.has(deploymentId)) {
    sendNotFound(response, deploymentId ?? '');
  } else if (request.method === 'GET') {
    sendJson(response, 200, ofApi.get(deploymentId));
  } else if (request.method === 'DELETE') {
    ofApi.delete(deploymentId);
    response.writeHead(204).end();
  } else {
    sendJson(response, 405, { message: `${request.method} is not supported here` });
  }
}

/**
 * Stage calls go to moto, with `deploymentId` added to what it answers. An UpdateStage that only
 * moves the stage to another deployment (all moto cannot do) is answered here.
 */
async function answerStages(
  request: IncomingMessage,
  response: ServerResponse,
  target: URL,
  stageDeployments: Map<string, string>,
  apiId: string,
  stageName: string | undefined,
): Promise<void> {
  const body = await readBody(request);
  const input = parseObject(body);
  const key = (name: string): string => `${apiId}/${name}`;
  if (request.method === 'PATCH' && stageName !== undefined) {
    const { deploymentId, description: _description, ...others } = input;
    if (typeof deploymentId === 'string' && Object.keys(others).length === 0) {
      stageDeployments.set(key(stageName), deploymentId);
      const current = await call(target, request, 'GET', Buffer.alloc(0));
      sendJson(response, current.status, { ...parseObject(current.body), deploymentId });
      return;
    }
  }
  const answer = await call(target, request, request.method ?? 'GET', body);
  let output = parseObject(answer.body);
  if (answer.status < 300) {
    if (request.method === 'POST' && typeof input.deploymentId === 'string') {
      stageDeployments.set(key(String(input.stageName)), input.deploymentId);
    }
    if (request.method === 'DELETE' && stageName !== undefined)
      stageDeployments.delete(key(stageName));
    const withDeployment = (stage: Record<string, unknown>): Record<string, unknown> => {
      const deploymentId = stageDeployments.get(key(String(stage.stageName)));
      return deploymentId === undefined ? stage : { ...stage, deploymentId };
    };
    if (Array.isArray(output.items)) {
      output = {
        ...output,
        items: (output.items as Record<string, unknown>[]).map(withDeployment),
      };
    } else if (typeof output.stageName === 'string') {
      output = withDeployment(output);
    }
  }
  if (answer.status === 204 || answer.body.length === 0) {
    response.writeHead(answer.status, answer.headers).end();
    return;
  }
  sendJson(response, answer.status, output, answer.headers);
}

function parseObject(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Sends one request to moto with the original headers and collects its answer. */
function call(
  target: URL,
  original: IncomingMessage,
  method: string,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
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

function sendJson(
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

/** API Gateway's 404: the SDK reads the error type from the x-amzn-ErrorType header. */
function sendNotFound(response: ServerResponse, deploymentId: string): void {
  const body = JSON.stringify({
    message: `Invalid Deployment identifier specified ${deploymentId}`,
  });
  response.writeHead(404, {
    'content-type': 'application/json',
    'x-amzn-errortype': 'NotFoundException',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** S3's REST error body (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
function sendAccessDenied(response: ServerResponse): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
    '<Message>Access Denied</Message><RequestId>MOTOFRONT0000001</RequestId>' +
    '<HostId>bW90by1mcm9udA==</HostId></Error>';
  response.writeHead(403, {
    'content-type': 'application/xml',
    'x-amz-request-id': 'MOTOFRONT0000001',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function forward(request: IncomingMessage, response: ServerResponse, target: URL): void {
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

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
