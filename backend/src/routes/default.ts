/**
 * `$default`: every client frame. The frame is validated first (message.ts); then a dispatch
 * table on its kind: a keep-alive ping is answered with nothing, an invalid frame earns its sender
 * an error, and a chat message or a history request goes to its own handler, each of which spends
 * one token of the sender's rate limit before any other work (frame-context.ts).
 */
import type { ParsedFrame } from '../protocol/message.ts';
import { buildErrorEvent, parseClientFrame } from '../protocol/message.ts';
import { sendChatMessage } from './chat-message.ts';
import type { FrameContext, FrameHandler } from './frame-context.ts';
import { sendHistory } from './history-request.ts';
import { replyToSender } from './reply.ts';
import { managementEndpointFor, type RouteHandler } from './route.ts';

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
