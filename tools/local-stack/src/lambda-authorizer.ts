/**
 * A Lambda REQUEST authorizer on `$connect`, run as API Gateway runs one for a WebSocket API
 * (docs/apigw-websocket.md, "Lambda authorizers"). Pure: the gateway (websocket-gateway.ts) asks
 * these functions what to do and invokes the function itself.
 *
 * 1. Every identity source must be present and non-empty, or the handshake gets 401 and the
 *    authorizer is not invoked.
 * 2. The authorizer gets the REQUEST input: `type`, `methodArn`, the handshake's headers (with
 *    `Connection` and `Upgrade`, which `$connect` does not see), the query string, `stageVariables`
 *    and the CONNECT request context.
 * 3. Its answer decides the handshake before it completes: an error whose message is exactly
 *    `Unauthorized` is 401; any other error, a malformed result, a context value that is an object
 *    or an array, or a result over 8 KB is 500; a policy that does not allow `execute-api:Invoke`
 *    on the method ARN (an explicit Deny wins) is 403; an Allow goes on to `$connect`.
 * 4. An allowed result becomes `requestContext.authorizer` on `$connect`, every MESSAGE and
 *    `$disconnect` of the connection: `principalId`, `integrationLatency` (milliseconds the
 *    authorizer took) and the context's keys, their values as strings.
 *
 * Nothing is cached: WebSocket APIs do not cache authorizer results, so every handshake is checked
 * afresh.
 */
import {
  type ConnectionFacts,
  type HandshakeRequest,
  handshakeHeaders,
  type LambdaProxyEvent,
  queryParameters,
} from './events.ts';
import type { IntegrationResult } from './gateway-responses.ts';

/** The identity source the chat's authorizer uses: the subprotocol header carries the token. */
export const SUBPROTOCOL_IDENTITY_SOURCE = 'route.request.header.Sec-WebSocket-Protocol';

/** API Gateway's quota on a Lambda authorizer's result (documented: 8 KB). */
export const MAX_AUTHORIZER_RESULT_BYTES = 8 * 1024;

/** What API Gateway requires of a handshake before it invokes the authorizer. */
export type IdentitySource =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'querystring'; readonly name: string };

/**
 * Reads an identity source as API Gateway's `identitySource` spells it.
 * @param source - `route.request.header.<name>` or `route.request.querystring.<name>`
 * @returns the parsed source
 * @throws Error for stage variables, context variables and anything else the local stack does
 *   not emulate
 */
export function parseIdentitySource(source: string): IdentitySource {
  const match = /^route\.request\.(header|querystring)\.([A-Za-z0-9._-]+)$/.exec(source);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(
      `Unsupported identity source ${source}: the local stack takes route.request.header.NAME ` +
        'and route.request.querystring.NAME',
    );
  }
  return { kind: match[1] as IdentitySource['kind'], name: match[2] };
}

/**
 * The first identity source the handshake lacks: absent, or present but empty. Header names
 * match in any case; query string keys exactly.
 * @param sources - the authorizer's identity sources
 * @param request - the handshake
 * @returns the missing source, or undefined when all are there
 */
export function missingIdentitySource(
  sources: readonly IdentitySource[],
  request: Pick<HandshakeRequest, 'rawHeaders' | 'query'>,
): IdentitySource | undefined {
  const query = queryParameters(request.query)?.multi;
  return sources.find((source) => {
    if (source.kind === 'querystring') {
      const values =
        query !== undefined && Object.hasOwn(query, source.name) ? query[source.name] : [];
      return !(values ?? []).some((value) => value !== '');
    }
    const wanted = source.name.toLowerCase();
    for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
      const name = request.rawHeaders[index] as string;
      if (
        name.toLowerCase() === wanted &&
        (request.rawHeaders[index + 1] as string).trim() !== ''
      ) {
        return false;
      }
    }
    return true;
  });
}

/**
 * The method ARN of `$connect`: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect`.
 * @param facts - the region, account and API
 * @returns the ARN
 */
export function connectMethodArn(facts: {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
}): string {
  return `arn:aws:execute-api:${facts.region}:${facts.accountId}:${facts.apiId}/${facts.stage}/$connect`;
}

/**
 * The REQUEST authorizer's input for a handshake, shaped as AWS's documented example.
 * @param methodArn - the method ARN of `$connect`
 * @param connectEventOfHandshake - a CONNECT event of the same handshake: the authorizer sees the
 *   CONNECT request context (whether its request id is `$connect`'s is UNCONFIRMED; here it is not)
 * @param request - the handshake
 * @returns the event
 */
export function authorizerRequestEvent(
  methodArn: string,
  connectEventOfHandshake: LambdaProxyEvent,
  request: HandshakeRequest,
): LambdaProxyEvent {
  const event: Record<string, unknown> = {
    type: 'REQUEST',
    methodArn,
    ...handshakeHeaders(request, { keepUpgrade: true }),
  };
  const query = queryParameters(request.query);
  if (query !== undefined) {
    event.queryStringParameters = query.single;
    event.multiValueQueryStringParameters = query.multi;
  }
  // The stage has no variables: the documented example shows an empty map.
  event.stageVariables = {};
  event.requestContext = connectEventOfHandshake.requestContext;
  return event as LambdaProxyEvent;
}

/** What the authorizer's answer means for the handshake. */
export type AuthorizerDecision =
  | {
      readonly allowed: true;
      /** `requestContext.authorizer` of the connection's events. */
      readonly authorizer: Readonly<Record<string, unknown>>;
      readonly principalId: string;
    }
  | {
      readonly allowed: false;
      /** 401, 403 or 500. */
      readonly status: number;
      /** For the stack's log line, never for the client. */
      readonly reason: string;
    };

/**
 * Reads the authorizer's answer.
 * @param result - how the invocation ended
 * @param methodArn - the method ARN the policy must allow
 * @param latencyMs - how long the authorizer took (`integrationLatency`)
 * @returns allowed with the events' authorizer context, or refused with the handshake's status
 */
export function authorizerDecision(
  result: IntegrationResult,
  methodArn: string,
  latencyMs: number,
): AuthorizerDecision {
  // UNCONFIRMED: what a client sees when the authorizer outlives the integration timeout.
  if (result.timedOut) return refused(500, 'the authorizer timed out');
  const { outcome } = result;
  if (!outcome.ok) {
    // Documented: the error message "Unauthorized" (exactly) is a 401, any other error a 500.
    return outcome.errorMessage === 'Unauthorized'
      ? refused(401, 'Unauthorized')
      : refused(500, `the authorizer failed: ${outcome.errorType}`);
  }
  const answer = outcome.result;
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    return refused(500, 'the authorizer returned no object');
  }
  const size = Buffer.byteLength(JSON.stringify(answer));
  if (size > MAX_AUTHORIZER_RESULT_BYTES) {
    // Documented limit; the status when it is passed is UNCONFIRMED.
    return refused(500, `the authorizer's result is ${size} bytes, over 8 KB`);
  }
  const { principalId, policyDocument, context } = answer as Record<string, unknown>;
  if (typeof principalId !== 'string' || principalId === '') {
    return refused(500, 'the authorizer returned no principalId');
  }
  const effect = policyEffect(policyDocument, methodArn);
  if (effect === 'malformed') return refused(500, 'the authorizer returned a malformed policy');
  const values = contextValues(context);
  if (values === undefined) {
    return refused(500, "the authorizer's context holds an object, an array or null");
  }
  if (effect !== 'Allow') return refused(403, `the policy does not allow ${methodArn}`);
  const authorizer: Record<string, unknown> = Object.create(null);
  authorizer.principalId = principalId;
  authorizer.integrationLatency = latencyMs;
  for (const [key, value] of Object.entries(values)) {
    // The two keys API Gateway sets itself are not the context's to change (UNCONFIRMED).
    if (key !== 'principalId' && key !== 'integrationLatency') authorizer[key] = value;
  }
  return { allowed: true, authorizer, principalId };
}

function refused(status: number, reason: string): AuthorizerDecision {
  return { allowed: false, status, reason };
}

/**
 * The context's values as API Gateway passes them on: strings, numbers and booleans, each as a
 * string (documented for REST APIs; UNCONFIRMED that WebSocket events do the same).
 * @returns the values, an empty map for no context, or undefined when one is an object, an array
 *   or null (documented as not allowed)
 */
function contextValues(context: unknown): Record<string, string> | undefined {
  const values: Record<string, string> = Object.create(null);
  if (context === undefined) return values;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return undefined;
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return undefined;
    }
    values[key] = String(value);
  }
  return values;
}

/**
 * What an IAM policy says of `execute-api:Invoke` on `methodArn`: an explicit Deny wins over any
 * Allow; neither is an implicit deny.
 */
function policyEffect(policy: unknown, methodArn: string): 'Allow' | 'Deny' | 'none' | 'malformed' {
  if (typeof policy !== 'object' || policy === null) return 'malformed';
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length === 0 || list.some((item) => typeof item !== 'object' || item === null)) {
    return 'malformed';
  }
  let allowed = false;
  for (const statement of list as Record<string, unknown>[]) {
    const applies =
      listOf(statement.Action).some((action) =>
        wildcardMatch(action, 'execute-api:Invoke', true),
      ) && listOf(statement.Resource).some((resource) => wildcardMatch(resource, methodArn, false));
    if (!applies) continue;
    if (statement.Effect === 'Deny') return 'Deny';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'none';
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/** IAM's wildcards: `*` any run of characters, `?` any one; actions match in any case. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const expression = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${expression}$`, ignoreCase ? 'i' : '').test(value);
}

/** The connection's facts with the authorizer's context, for every event after the handshake. */
export function withAuthorizer<T extends ConnectionFacts>(
  connection: T,
  decision: AuthorizerDecision | undefined,
): T {
  return decision?.allowed === true
    ? { ...connection, authorizer: decision.authorizer }
    : connection;
}
