/**
 * What every `$default` frame handler shares: the sender's context, and the one token of the
 * sender's rate limit each frame spends before any other work. Its own module, so the dispatch
 * table (default.ts) and the handlers it dispatches to import it and never each other.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DEFAULT_ROOM } from '../../../contract/room-name.ts';
import type { HandlerDeps, Invocation } from '../deps.ts';
import type { ParsedFrame } from '../protocol/message.ts';
import { buildErrorEvent } from '../protocol/message.ts';
import { replyToSender } from './reply.ts';
import type { RouteOutcome } from './route.ts';

/** Everything a frame handler needs about the frame's sender. */
export interface FrameContext {
  readonly senderId: string;
  /** The management API endpoint, with the stage. */
  readonly endpoint: string;
  readonly client: ApiGatewayManagementApiClient;
  readonly deps: HandlerDeps;
  readonly invocation: Invocation;
}

/** One kind of frame's handler. */
export type FrameHandler<Kind extends ParsedFrame['kind']> = (
  frame: Extract<ParsedFrame, { kind: Kind }>,
  context: FrameContext,
) => Promise<RouteOutcome>;

/** What the sender's connection item says, read by the rate limit's write. */
export interface SenderConnection {
  readonly room: string;
  /** Undefined for an old client. */
  readonly protocolVersion: number | undefined;
}

/**
 * Spends a token of the sender's bucket, answering a refusal itself.
 * @param context - the sender
 * @param clientId - the frame's client id, which a refusal names
 * @returns the sender's room (the default room for a connection stored before rooms existed) and
 *   protocol version when allowed; the finished outcome when refused
 */
export async function spendToken(
  context: FrameContext,
  clientId?: string,
): Promise<SenderConnection | { readonly refused: RouteOutcome }> {
  const decision = await context.deps.rateLimiter.take(context.senderId, context.deps.now());
  // A connection stored before rooms existed has none: it is in the default room.
  if (decision.allowed) {
    return { room: decision.room ?? DEFAULT_ROOM, protocolVersion: decision.protocolVersion };
  }
  const seconds = Math.ceil(decision.retryAfterMs / 1000);
  const replied = await replyToSender(
    context.client,
    context.senderId,
    JSON.stringify(
      buildErrorEvent(
        'rate_limited',
        `Too many messages: wait ${seconds} s before sending again.`,
        { retryAfterMs: decision.retryAfterMs, clientId },
      ),
    ),
  );
  return {
    refused: {
      response: { statusCode: 429 },
      level: 'warn',
      outcome: 'rate_limited',
      details: { retryAfterMs: decision.retryAfterMs, replied },
    },
  };
}
