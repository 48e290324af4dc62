/**
 * `$default`: every client frame. The frame is validated first (message.ts); then a dispatch
 * table on its kind: a keep-alive ping is answered with nothing, an invalid frame earns its sender
 * an error, and a chat message or a history request goes to its own handler, each of which spends
 * one token of the sender's rate limit before any other work.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { managementEndpointFor } from '../broadcast/management-clients.ts';
import type { ParsedFrame } from '../protocol/message.ts';
import { buildErrorEvent, parseClientFrame } from '../protocol/message.ts';
import type { HandlerDeps, Invocation, RouteHandler, RouteOutcome } from '../types.ts';
import { sendChatMessage } from './chat-message.ts';
import { sendHistory } from './history-request.ts';
import { replyToSender } from './reply.ts';

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

const frameHandlers: { readonly [Kind in ParsedFrame['kind']]: FrameHandler<Kind> } = {
  // API Gateway's idle timer counts data frames only: a ping needs no answer, just arriving.
  ping: async () => ({ response: { statusCode: 200 }, outcome: 'ping' }),
  invalid: async (frame, { client, senderId }) => {
    const replied = await replyToSender(
      client,
      senderId,
      JSON.stringify(buildErrorEvent(frame.code, frame.reason)),
    );
    return {
      response: { statusCode: 400 },
      level: 'warn',
      outcome: 'invalid',
      details: { code: frame.code, replied },
    };
  },
  message: sendChatMessage,
  history: sendHistory,
};

/** Validates one client frame and hands it to the handler of its kind. */
export const handleDefault: RouteHandler = async (event, deps, invocation) => {
  const frame = parseClientFrame(event.body, deps.config.maxMessageLength);
  const endpoint = managementEndpointFor(event, deps.config.apigwEndpoint);
  const context: FrameContext = {
    senderId: event.requestContext.connectionId,
    endpoint,
    client: deps.managementClientFor(endpoint),
    deps,
    invocation,
  };
  const handler = frameHandlers[frame.kind] as FrameHandler<typeof frame.kind>;
  return handler(frame as never, context);
};

/**
 * Spends a token of the sender's bucket, answering a refusal itself.
 * @param context - the sender
 * @returns the sender's room when allowed; the finished outcome when refused
 */
export async function spendToken(
  context: FrameContext,
): Promise<{ readonly room: string | undefined } | { readonly refused: RouteOutcome }> {
  const decision = await context.deps.rateLimiter.take(context.senderId, context.deps.now());
  if (decision.allowed) return { room: decision.room };
  const seconds = Math.ceil(decision.retryAfterMs / 1000);
  const replied = await replyToSender(
    context.client,
    context.senderId,
    JSON.stringify(
      buildErrorEvent(
        'rate_limited',
        `Too many messages: wait ${seconds} s before sending again.`,
        {
          retryAfterMs: decision.retryAfterMs,
        },
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
