/**
 * `$default`: every client frame. The frame is validated first (message.ts, pure), then spends
 * from its sender's budget, whatever it is (frame-context.ts); then a dispatch table on its kind:
 * a keep-alive ping is answered with nothing, an invalid frame earns its sender an error, and a
 * chat message or a history request goes to its own handler.
 *
 * A sender one whole burst over its budget is disconnected (DeleteConnection): a client that keeps
 * sending far over its budget would otherwise hold the stage's throttle, which every client
 * shares.
 */
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { signsIn } from '../auth/auth-mode.ts';
import { errorName } from '../errors.ts';
import type { ParsedFrame } from '../protocol/message.ts';
import { buildErrorEvent, parseClientFrame } from '../protocol/message.ts';
import { sendChatMessage } from './chat-message.ts';
import type { FrameContext, FrameHandler } from './frame-context.ts';
import { refuseOverBudget, spendFrameBudget } from './frame-context.ts';
import { sendHistory } from './history-request.ts';
import { replyToSender } from './reply.ts';
import { managementEndpointFor, type RouteHandler, type RouteOutcome } from './route.ts';

const frameHandlers: { readonly [Kind in ParsedFrame['kind']]: FrameHandler<Kind> } = {
  // API Gateway's idle timer counts data frames only: a ping needs no answer, just arriving.
  ping: async () => ({ response: { statusCode: 200 }, outcome: 'ping' }),
  invalid: async (frame, { client, senderId }) => {
    const replied = await replyToSender(
      client,
      senderId,
      JSON.stringify(buildErrorEvent(frame.code, frame.reason, { clientId: frame.clientId })),
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

/** Validates one client frame, spends its budget and hands it to the handler of its kind. */
export const handleDefault: RouteHandler = async (event, deps, invocation) => {
  // Signed in, the name is the verified one: whatever name the frame gives is never read.
  const frame = parseClientFrame(event.body, deps.config.maxMessageLength, {
    verifiedSender: signsIn(deps.config.authMode),
  });
  const endpoint = managementEndpointFor(event, deps.config.apigwEndpoint);
  const context: FrameContext = {
    senderId: event.requestContext.connectionId,
    endpoint,
    client: deps.managementClientFor(endpoint),
    deps,
    invocation,
  };
  const budget = await spendFrameBudget(event, context);
  if (budget.kind === 'unidentified') {
    return {
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'unidentified',
      details: {
        configurationError:
          'an auth mode, but the event carries no authorizer context: attach the authorizer to $connect',
      },
    };
  }
  if (budget.kind === 'overdrawn') return closeFlooder(context, budget.retryAfterMs);
  if (budget.kind === 'refused') return refuseOverBudget(frame, context, budget.retryAfterMs);
  const handler = frameHandlers[frame.kind] as FrameHandler<typeof frame.kind>;
  return handler(frame as never, context, budget.sender);
};

/**
 * Tells the sender why, then closes its connection. API Gateway then sends `$disconnect` (close
 * code 1000), which forgets the connection as any other.
 */
async function closeFlooder(context: FrameContext, retryAfterMs: number): Promise<RouteOutcome> {
  const { client, senderId } = context;
  await replyToSender(
    client,
    senderId,
    JSON.stringify(
      buildErrorEvent(
        'too_many_frames',
        'Far too many frames over the rate limit: this connection is closed.',
        { retryAfterMs },
      ),
    ),
  );
  let closed: boolean | string = true;
  try {
    await client.send(new DeleteConnectionCommand({ ConnectionId: senderId }));
  } catch (error) {
    // Gone already is as good as closed.
    closed = errorName(error) === 'GoneException' ? true : errorName(error);
  }
  return {
    response: { statusCode: 429 },
    level: 'warn',
    outcome: 'flood_disconnected',
    details: { retryAfterMs, ...(closed !== true && { closeFailed: closed }) },
  };
}
