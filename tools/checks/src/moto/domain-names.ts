/**
 * API Gateway v2 custom domain names as AWS answers for them. moto keeps a domain name's
 * configurations exactly as they were sent, without the three fields API Gateway adds: its status
 * (the provider waits for AVAILABLE), and the regional host name and hosted zone a DNS alias
 * points at
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/domainnames-domainname.html).
 * It also answers an empty `mutualTlsAuthentication: {}` where AWS leaves the member out, which
 * the provider reads as a configured block. Calls go to moto; the fields are mended in what it answers.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callMoto, parseObject, readBody, sendJson } from './http.ts';

/** `/v2/domainnames[/{domainName}]`: the calls whose answers get the fields. */
export const DOMAIN_NAMES_PATH = /^\/v2\/domainnames(?:\/([^/]+))?$/;

/**
 * API Gateway's hosted zone for regional endpoints in us-east-1. Each Region has its own; moto
 * checks no alias target, so one serves every Region here.
 */
const REGIONAL_HOSTED_ZONE_ID = 'Z1UJRXOUMOOFQ8';

/**
 * Passes a domain name call on to moto, and adds the fields to the domain names it answers with.
 * @param target - moto's base URL
 */
export async function answerDomainNames(
  request: IncomingMessage,
  response: ServerResponse,
  target: URL,
): Promise<void> {
  const body = await readBody(request);
  const answer = await callMoto(target, request, request.method ?? 'GET', body);
  if (answer.status >= 300 || answer.body.length === 0) {
    response.writeHead(answer.status, answer.headers).end(answer.body);
    return;
  }
  const region = signingRegion(request);
  const output = parseObject(answer.body);
  const completed = Array.isArray(output.items)
    ? {
        ...output,
        items: (output.items as Record<string, unknown>[]).map((item) => asAws(item, region)),
      }
    : asAws(output, region);
  sendJson(response, answer.status, completed, answer.headers);
}

function asAws(answered: Record<string, unknown>, region: string): Record<string, unknown> {
  const { mutualTlsAuthentication, ...domainName } = answered;
  if (isConfigured(mutualTlsAuthentication)) {
    domainName.mutualTlsAuthentication = mutualTlsAuthentication;
  }
  if (!Array.isArray(domainName.domainNameConfigurations)) return domainName;
  const name = String(domainName.domainName);
  // Stable per name, as API Gateway's d-<id> host is per domain name.
  const hostId = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return {
    ...domainName,
    domainNameConfigurations: (
      domainName.domainNameConfigurations as Record<string, unknown>[]
    ).map((configuration) => ({
      ...configuration,
      domainNameStatus: 'AVAILABLE',
      apiGatewayDomainName: `d-${hostId}.execute-api.${region}.amazonaws.com`,
      hostedZoneId: REGIONAL_HOSTED_ZONE_ID,
    })),
  };
}

/** A member with something in it: not absent, null or `{}`. */
function isConfigured(member: unknown): boolean {
  return typeof member === 'object' && member !== null && Object.keys(member).length > 0;
}

/** The Region of the request's SigV4 credential scope (`Credential=<key>/<date>/<region>/…`). */
function signingRegion(request: IncomingMessage): string {
  const authorization = request.headers.authorization ?? '';
  return /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? 'us-east-1';
}
