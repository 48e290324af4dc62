/**
 * Cognito user pool domains' managed login version. moto creates, describes and deletes a domain,
 * but drops its `ManagedLoginVersion` (1, the classic managed login, or 2, the newer one), which
 * Cognito keeps and answers with
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DomainDescriptionType.html):
 * the provider then reads 0 back and plans to set it again on every plan. Calls go to moto; the
 * version is remembered here, by domain, and added to what moto answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callMoto, parseObject, readBody } from './http.ts';

/** The JSON 1.1 target prefix of every Cognito user pool call (`X-Amz-Target`). */
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** The calls answered here: those that set, read or forget a domain's version. */
const DOMAIN_CALLS = new Set([
  'CreateUserPoolDomain',
  'UpdateUserPoolDomain',
  'DescribeUserPoolDomain',
  'DeleteUserPoolDomain',
]);

/** Managed login versions, by domain. */
export type ManagedLoginVersions = Map<string, number>;

/**
 * The user pool domain call a request makes, if it is one.
 * @returns the operation's name, e.g. `CreateUserPoolDomain`, or undefined for any other request
 */
export function userPoolDomainCall(request: IncomingMessage): string | undefined {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string') return undefined;
  if (!target.startsWith(TARGET_PREFIX)) return undefined;
  const operation = target.slice(TARGET_PREFIX.length);
  return DOMAIN_CALLS.has(operation) ? operation : undefined;
}

/**
 * Passes a user pool domain call on to moto, keeping the version it sets and adding the version
 * to what moto answers.
 * @param operation - from {@link userPoolDomainCall}
 * @param versions - the versions kept so far (changed in place)
 * @param target - moto's base URL
 */
export async function answerUserPoolDomain(
  request: IncomingMessage,
  response: ServerResponse,
  operation: string,
  versions: ManagedLoginVersions,
  target: URL,
): Promise<void> {
  const body = await readBody(request);
  const input = parseObject(body);
  const domain = typeof input.Domain === 'string' ? input.Domain : '';
  const answer = await callMoto(target, request, 'POST', body);
  if (answer.status >= 300) {
    response.writeHead(answer.status, answer.headers).end(answer.body);
    return;
  }
  const output = parseObject(answer.body);
  if (operation === 'DeleteUserPoolDomain') {
    versions.delete(domain);
  } else if (operation === 'DescribeUserPoolDomain') {
    const description = output.DomainDescription as Record<string, unknown> | undefined;
    const version = versions.get(domain);
    // An unknown domain is answered with an empty description, as Cognito does.
    if (description?.Domain !== undefined && version !== undefined) {
      output.DomainDescription = { ...description, ManagedLoginVersion: version };
    }
  } else if (typeof input.ManagedLoginVersion === 'number') {
    versions.set(domain, input.ManagedLoginVersion);
    output.ManagedLoginVersion = input.ManagedLoginVersion;
  } else if (operation === 'CreateUserPoolDomain') {
    // Cognito's default for a domain created through the API: the classic managed login.
    versions.set(domain, 1);
    output.ManagedLoginVersion = 1;
  }
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'application/x-amz-json-1.1',
  });
  response.end(JSON.stringify(output));
}
