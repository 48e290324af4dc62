/**
 * The Lambda REQUEST authorizer of `$connect`, built from injected dependencies. API Gateway's
 * WebSocket APIs take REQUEST authorizers (and IAM), not JWT authorizers; an authorizer may guard
 * only `$connect`, and API Gateway keeps no cache of its results for WebSocket APIs, so every
 * handshake is checked afresh.
 *
 * What the client sees (API Gateway's documented answers):
 * - no `Sec-WebSocket-Protocol` header at all (the identity source): 401, and the authorizer is
 *   not even invoked;
 * - a token that is missing from the header, malformed, expired or not yet valid, from another
 *   issuer, for another audience, with a bad signature or an unsupported algorithm (`alg: none`,
 *   HMAC): the authorizer throws `Unauthorized`, and API Gateway answers 401;
 * - the authorizer failing to check (the issuer's keys cannot be fetched): any other error, and
 *   API Gateway answers 500, not 401: nothing was wrong with the token.
 * A Deny policy (403) is never returned: there is nothing a valid token is denied.
 *
 * An allowed handshake carries the verified sender and what its URL asked for (room, protocol
 * version) in the result's `context`, which API Gateway passes to every event of the connection
 * (authorizer-context.ts). The room and the version are read by the same rules `$connect` applies;
 * a malformed one is left out here and refused by `$connect` (400).
 */
import type { EventHeaders } from '../access/origin.ts';
import { errorName } from '../errors.ts';
import { protocolVersionFromQuery } from '../protocol/version.ts';
import { roomFromQuery } from '../rooms/room.ts';
import type { AuthorizerContext } from './authorizer-context.ts';
import { authorizerContextFor } from './authorizer-context.ts';
import { displayNameFor } from './sender.ts';
import { offeredSubprotocols, tokenFromSubprotocols } from './subprotocol.ts';
import type { TokenVerifier } from './token-verifier.ts';
import { TokenRefused } from './token-verifier.ts';

/** The input of a WebSocket API's REQUEST authorizer (the fields this authorizer reads). */
export interface WebSocketAuthorizerEvent {
  readonly type: 'REQUEST';
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect` */
  readonly methodArn: string;
  readonly headers?: EventHeaders;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext?: {
    readonly connectionId?: string;
    readonly requestId?: string;
    readonly routeKey?: string;
  };
}

/** An IAM policy allowing the one handshake it was asked about. */
export interface AllowPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly [
    {
      readonly Action: 'execute-api:Invoke';
      readonly Effect: 'Allow';
      readonly Resource: string;
    },
  ];
}

/** What the authorizer returns for a valid token. */
export interface AuthorizerResult {
  /** The sender id. */
  readonly principalId: string;
  readonly policyDocument: AllowPolicy;
  readonly context: AuthorizerContext;
}

/** The one line each authorizer invocation logs: never the token, never a claim but the id. */
export type AuthorizerLog = {
  readonly level: 'info' | 'warn' | 'error';
  readonly route: '$connect';
  readonly authorizer: true;
  readonly connectionId: string | undefined;
  readonly requestId: string | undefined;
  readonly outcome: 'authorized' | 'unauthorized' | 'error';
  readonly durationMs: number;
  /** Why a token was refused, e.g. `expired`, `audience`; or the error's name. */
  readonly reason?: string;
  readonly senderId?: string;
};

/** What the authorizer needs from outside. */
export interface AuthorizerDeps {
  readonly verifier: TokenVerifier;
  /** The claims the display name is taken from, in order. */
  readonly nameClaims: readonly string[];
  readonly log: (line: AuthorizerLog) => void;
}

/** The error message API Gateway turns into 401 (any other message is a 500). */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * Builds the authorizer.
 * @param deps - the token verifier, the name claims and the logger
 * @returns the function API Gateway invokes for every `$connect`
 */
export function createAuthorizer(
  deps: AuthorizerDeps,
): (event: WebSocketAuthorizerEvent) => Promise<AuthorizerResult> {
  return async (event) => {
    const startedAt = performance.now();
    const log = (
      level: AuthorizerLog['level'],
      outcome: AuthorizerLog['outcome'],
      details: Pick<AuthorizerLog, 'reason' | 'senderId'>,
    ): void =>
      deps.log({
        level,
        route: '$connect',
        authorizer: true,
        connectionId: event.requestContext?.connectionId,
        requestId: event.requestContext?.requestId,
        outcome,
        durationMs: Math.round(performance.now() - startedAt),
        ...details,
      });

    const token = tokenFromSubprotocols(
      offeredSubprotocols(event.headers, event.multiValueHeaders),
    );
    if (token === undefined) {
      log('warn', 'unauthorized', { reason: 'token_missing' });
      throw new Error(UNAUTHORIZED);
    }
    let verified: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      verified = await deps.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRefused) {
        log('warn', 'unauthorized', { reason: error.reason });
        throw new Error(UNAUTHORIZED);
      }
      log('error', 'error', { reason: errorName(error) });
      // Not "Unauthorized": API Gateway answers 500, since the token may well be valid.
      throw new Error('The token could not be checked', { cause: error });
    }
    const { senderId, payload } = verified;
    const room = roomFromQuery(event.queryStringParameters);
    const version = protocolVersionFromQuery(event.queryStringParameters);
    log('info', 'authorized', { senderId });
    return {
      principalId: senderId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: authorizerContextFor(
        { id: senderId, name: displayNameFor(payload, deps.nameClaims, senderId) },
        {
          room: room.ok ? room.room : undefined,
          protocolVersion: version.ok ? version.version : undefined,
        },
      ),
    };
  };
}
