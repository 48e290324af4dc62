/**
 * What every `$default` frame handler shares: the sender's context, and the budget every frame
 * spends from before any other work, pings and invalid frames included (a free frame is a frame
 * an attacker can send without end). Its own module, so the dispatch table (default.ts) and the
 * handlers it dispatches to import it and never each other.
 *
 * Whose budget a frame spends:
 * - in an auth mode, the signed-in user's, across all their connections (one item per user);
 *   the frame's room and protocol version come with the event, from the authorizer, so nothing
 *   else is read;
 * - without sign-in, the connection's own (on its item, whose write also reads its room and
 *   version) and its source IP's, which every connection from that address shares: more sockets,
 *   or a new one, gain nothing. The two writes go out together.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DEFAULT_ROOM } from '../../../contract/room-name.ts';
import { sourceIpOf, sourceIpPerson, userPerson } from '../access/person.ts';
import type { RateDecision, Spending } from '../access/rate-limiter.ts';
import { signsIn } from '../auth/auth-mode.ts';
import type { VerifiedSender } from '../auth/authorizer-context.ts';
import { authorizedConnectionOf } from '../auth/authorizer-context.ts';
import type { HandlerDeps, Invocation } from '../deps.ts';
import type { ParsedFrame } from '../protocol/message.ts';
import { buildErrorEvent } from '../protocol/message.ts';
import { replyToSender } from './reply.ts';
import type { RouteOutcome, WebSocketEvent } from './route.ts';

/** Everything a frame handler needs about the frame's sender. */
export interface FrameContext {
  readonly senderId: string;
  /** The management API endpoint, with the stage. */
  readonly endpoint: string;
  readonly client: ApiGatewayManagementApiClient;
  readonly deps: HandlerDeps;
  readonly invocation: Invocation;
}

/** The connection a frame came from, once its budget allowed it. */
export interface SenderConnection {
  readonly room: string;
  /** Undefined for an old client. */
  readonly protocolVersion: number | undefined;
  /** The verified sender, in an auth mode. */
  readonly verified: VerifiedSender | undefined;
}

/** One kind of frame's handler, called once the frame's budget allowed it. */
export type FrameHandler<Kind extends ParsedFrame['kind']> = (
  frame: Extract<ParsedFrame, { kind: Kind }>,
  context: FrameContext,
  sender: SenderConnection,
) => Promise<RouteOutcome>;

/** What spending a frame's budget came to. */
export type FrameBudget =
  | { readonly kind: 'allowed'; readonly sender: SenderConnection }
  /** Refused: over the budget (or the connection's item is gone). */
  | { readonly kind: 'refused'; readonly retryAfterMs: number }
  /** Over the budget by a whole burst more: the connection is to be closed. */
  | { readonly kind: 'overdrawn'; readonly retryAfterMs: number }
  /** An auth mode, but the event carries no verified sender: the stage is misconfigured. */
  | { readonly kind: 'unidentified' };

/**
 * Spends one token of every budget the frame's sender has.
 * @param event - the frame's event (its authorizer context, its source IP)
 * @param context - the sender
 * @returns allowed with the sender's room, version and verified identity; or why not
 */
export async function spendFrameBudget(
  event: WebSocketEvent,
  context: FrameContext,
): Promise<FrameBudget> {
  const { deps } = context;
  const now = deps.now();
  if (signsIn(deps.config.authMode)) {
    const connection = authorizedConnectionOf(event.requestContext);
    if (connection === undefined) return { kind: 'unidentified' };
    const verified = { id: connection.id, name: connection.name };
    const spent = await deps.people.spend(userPerson(verified).key, deps.config.rateLimit, now);
    return combine([spent], {
      // A malformed room never gets this far: $connect refused it.
      room: connection.room ?? DEFAULT_ROOM,
      protocolVersion: connection.protocolVersion,
      verified,
    });
  }
  const sourceIp = sourceIpPerson(sourceIpOf(event.requestContext));
  const [own, shared] = await Promise.all([
    deps.rateLimiter.take(context.senderId, now),
    sourceIp === undefined
      ? undefined
      : deps.people.spend(sourceIp.key, deps.config.sourceIpRateLimit, now),
  ]);
  // A connection stored before rooms existed has none: it is in the default room.
  const sender = own.allowed
    ? { room: own.room ?? DEFAULT_ROOM, protocolVersion: own.protocolVersion, verified: undefined }
    : undefined;
  return combine(
    [asSpending(own), ...(shared === undefined ? [] : [shared])],
    sender ?? { room: DEFAULT_ROOM, protocolVersion: undefined, verified: undefined },
  );
}

/**
 * Answers a frame its budget refused: a chat message or a history request hears `rate_limited`
 * (naming its client id), as its sender waits for an answer; a ping or an invalid frame hears
 * nothing, so a flood of them costs no posts.
 * @param frame - the refused frame
 * @param context - the sender
 * @param retryAfterMs - the wait
 * @returns the finished outcome (429)
 */
export async function refuseOverBudget(
  frame: ParsedFrame,
  context: FrameContext,
  retryAfterMs: number,
): Promise<RouteOutcome> {
  const answered = frame.kind === 'message' || frame.kind === 'history';
  const seconds = Math.ceil(retryAfterMs / 1000);
  const clientId = frame.kind === 'message' ? frame.clientId : undefined;
  const replied =
    answered &&
    (await replyToSender(
      context.client,
      context.senderId,
      JSON.stringify(
        buildErrorEvent(
          'rate_limited',
          `Too many messages: wait ${seconds} s before sending again.`,
          { retryAfterMs, clientId },
        ),
      ),
    ));
  return {
    response: { statusCode: 429 },
    level: 'warn',
    outcome: 'rate_limited',
    details: { retryAfterMs, replied, ...(!answered && { frame: frame.kind }) },
  };
}

function combine(spendings: readonly Spending[], sender: SenderConnection): FrameBudget {
  const waits = spendings.map((spent) => (spent.outcome === 'accepted' ? 0 : spent.retryAfterMs));
  const retryAfterMs = Math.max(...waits);
  if (spendings.some((spent) => spent.outcome === 'overdrawn')) {
    return { kind: 'overdrawn', retryAfterMs };
  }
  if (spendings.some((spent) => spent.outcome !== 'accepted')) {
    return { kind: 'refused', retryAfterMs };
  }
  return { kind: 'allowed', sender };
}

function asSpending(decision: RateDecision): Spending {
  if (decision.allowed) return { outcome: 'accepted', item: undefined };
  return {
    outcome: decision.overdrawn === true ? 'overdrawn' : 'refused',
    retryAfterMs: decision.retryAfterMs,
    item: undefined,
  };
}
