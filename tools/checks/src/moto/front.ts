/**
 * A proxy in front of moto_server, where the AWS provider is pointed. It answers what moto lacks
 * or answers differently from AWS, and passes every other request to moto unchanged:
 * - the API Gateway v2 deployment calls (CreateDeployment, GetDeployment, DeleteDeployment,
 *   GetDeployments), shaped as the API Reference describes them (restJson1, lower camel case:
 *   https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html),
 *   and each stage's `deploymentId`, which moto drops (its UpdateStage fails outright);
 * - API Gateway v2 domain names' status, regional host name and hosted zone (domain-names.ts);
 * - API Gateway's UpdateAccount clearing the CloudWatch role (apigateway-account.ts);
 * - CloudFront response headers policies (response-headers-policies.ts);
 * - Cognito user pool domains' managed login version (user-pool-domains.ts).
 * On request it refuses S3 PutBucketPolicy calls with S3's AccessDenied, as S3 does for a while
 * after a bucket's public access block changed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerUpdateAccount, isUpdateAccount } from './apigateway-account.ts';
import { answerDomainNames, DOMAIN_NAMES_PATH } from './domain-names.ts';
import { callMoto, forward, parseObject, readBody, sendJson } from './http.ts';
import {
  answerResponseHeadersPolicies,
  RESPONSE_HEADERS_POLICY_PATH,
  type ResponseHeadersPolicies,
} from './response-headers-policies.ts';
import {
  answerUserPoolDomain,
  type ManagedLoginVersions,
  userPoolDomainCall,
} from './user-pool-domains.ts';

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

  const responseHeadersPolicies: ResponseHeadersPolicies = new Map();
  const managedLoginVersions: ManagedLoginVersions = new Map();
  const answerOr500 = (response: ServerResponse, answering: Promise<void>): void => {
    answering.catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  };

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
      answerOr500(response, answerDeployments(request, response, deployments, match[1], match[2]));
      return;
    }
    const stage = STAGES_PATH.exec(path);
    if (stage?.[1] !== undefined) {
      answerOr500(
        response,
        answerStages(request, response, target, stageDeployments, stage[1], stage[2]),
      );
      return;
    }
    if (isUpdateAccount(request, path)) {
      answerOr500(response, answerUpdateAccount(request, response, target));
      return;
    }
    if (DOMAIN_NAMES_PATH.test(path)) {
      answerOr500(response, answerDomainNames(request, response, target));
      return;
    }
    const policy = RESPONSE_HEADERS_POLICY_PATH.exec(path);
    if (policy !== null) {
      answerOr500(
        response,
        answerResponseHeadersPolicies(request, response, responseHeadersPolicies, policy[1]),
      );
      return;
    }
    const userPoolDomain = userPoolDomainCall(request);
    if (userPoolDomain !== undefined) {
      answerOr500(
        response,
        answerUserPoolDomain(request, response, userPoolDomain, managedLoginVersions, target),
      );
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
      const current = await callMoto(target, request, 'GET', Buffer.alloc(0));
      sendJson(response, current.status, { ...parseObject(current.body), deploymentId });
      return;
    }
  }
  const answer = await callMoto(target, request, request.method ?? 'GET', body);
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
