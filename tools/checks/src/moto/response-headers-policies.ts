/**
 * CloudFront response headers policies, which moto does not implement (it answers 404 with an
 * HTML page): created, read, updated and deleted here, shaped as the CloudFront API Reference
 * describes them (restXml,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateResponseHeadersPolicy.html).
 * A policy's configuration is kept as the XML the caller sent and given back as it came, which is
 * what CloudFront does for a valid one; nothing checks it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendXml } from './http.ts';

/** `/2020-05-31/response-headers-policy[/{Id}]`: the calls answered here. */
export const RESPONSE_HEADERS_POLICY_PATH = /^\/2020-05-31\/response-headers-policy(?:\/([^/]+))?$/;

const NAMESPACE = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

/** One stored policy. */
interface Policy {
  readonly id: string;
  readonly etag: string;
  readonly lastModified: string;
  /** `<ResponseHeadersPolicyConfig>…</ResponseHeadersPolicyConfig>`, without a namespace. */
  readonly configXml: string;
}

/** The policies that exist now, by ID. */
export type ResponseHeadersPolicies = Map<string, Policy>;

/**
 * Answers one response headers policy call.
 * @param id - the policy ID from the path, if any
 */
export async function answerResponseHeadersPolicies(
  request: IncomingMessage,
  response: ServerResponse,
  policies: ResponseHeadersPolicies,
  id: string | undefined,
): Promise<void> {
  const body = (await readBody(request)).toString('utf8');
  if (request.method === 'POST' && id === undefined) {
    const policy = store(
      policies,
      `MOTOFRONT${randomBytes(5).toString('hex').toUpperCase()}`,
      body,
    );
    sendXml(response, 201, policyXml(policy), {
      etag: policy.etag,
      location: `https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/${policy.id}`,
    });
    return;
  }
  const existing = id === undefined ? undefined : policies.get(id);
  if (existing === undefined) {
    sendNoSuchPolicy(response, id ?? '');
  } else if (request.method === 'GET') {
    sendXml(response, 200, policyXml(existing), { etag: existing.etag });
  } else if (request.method === 'PUT') {
    const policy = store(policies, existing.id, body);
    sendXml(response, 200, policyXml(policy), { etag: policy.etag });
  } else if (request.method === 'DELETE') {
    policies.delete(existing.id);
    response.writeHead(204).end();
  } else {
    response.writeHead(405).end();
  }
}

function store(policies: ResponseHeadersPolicies, id: string, requestBody: string): Policy {
  const configXml = requestBody
    .replace(/^<\?xml[^>]*\?>\s*/, '')
    .replace(/<ResponseHeadersPolicyConfig\b[^>]*>/, '<ResponseHeadersPolicyConfig>')
    .trim();
  const policy: Policy = {
    id,
    etag: randomBytes(7).toString('hex').toUpperCase(),
    lastModified: new Date().toISOString(),
    configXml,
  };
  policies.set(id, policy);
  return policy;
}

function policyXml(policy: Policy): string {
  return (
    `<ResponseHeadersPolicy xmlns="${NAMESPACE}"><Id>${policy.id}</Id>` +
    `<LastModifiedTime>${policy.lastModified}</LastModifiedTime>${policy.configXml}` +
    '</ResponseHeadersPolicy>'
  );
}

/** CloudFront's 404 for a policy that does not exist; the SDK reads the Code. */
function sendNoSuchPolicy(response: ServerResponse, id: string): void {
  sendXml(
    response,
    404,
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type>` +
      '<Code>NoSuchResponseHeadersPolicy</Code>' +
      `<Message>The response headers policy ${id} does not exist.</Message></Error>` +
      '<RequestId>MOTOFRONT0000002</RequestId></ErrorResponse>',
  );
}
