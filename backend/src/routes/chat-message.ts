/**
 * `$default`: the chat message route. Validates the frame, spends a token of the sender's rate
 * limit, then broadcasts a server-built event to every live connection except the sender (see
 * fanout.ts for how a large broadcast is split). An invalid or rate-limited frame only earns the
 * sender an error, and never becomes work for other invocations.
 */

import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { fanoutDepsFor, runFanout } from '../fanout.ts';
import { managementEndpointFor } from '../management-clients.ts';
import type { ErrorEvent } from '../message.ts';
import { buildErrorEvent, buildMessageEvent, parseClientFrame } from '../message.ts';
import { sdkPoster } from '../poster.ts';
import type { RouteHandler } from '../types.ts';

/** Validates and broadcasts one client frame. */
export const handleChatMessage: RouteHandler = async (event, deps, invocation) => {
  const { config } = deps;
  const senderId = event.requestContext.connectionId;
  const frame = parseClientFrame(event.body, config.maxMessageLength);
  if (frame.kind === 'ping') return { response: { statusCode: 200 }, outcome: 'ping' };

  const endpoint = managementEndpointFor(event, config.apigwEndpoint);
  const client = deps.managementClientFor(endpoint);
  if (frame.kind === 'invalid') {
    const replied = await replyToSender(
      client,
      senderId,
      buildErrorEvent(frame.code, frame.reason),
    );
    return {
      response: { statusCode: 400 },
      level: 'warn',
      outcome: 'invalid',
      details: { code: frame.code, replied },
    };
  }

  const now = deps.now();
  const decision = await deps.rateLimiter.take(senderId, now);
  if (!decision.allowed) {
    const replied = await replyToSender(
      client,
      senderId,
      buildErrorEvent(
        'rate_limited',
        `Too many messages: wait ${Math.ceil(decision.retryAfterMs / 1000)} s before sending again.`,
        { retryAfterMs: decision.retryAfterMs },
      ),
    );
    return {
      response: { statusCode: 429 },
      level: 'warn',
      outcome: 'rate_limited',
      details: { retryAfterMs: decision.retryAfterMs, replied },
    };
  }

  const payload = JSON.stringify(buildMessageEvent(frame.chatMessage, now, deps.newMessageId(now)));
  try {
    const report = await runFanout(
      { endpoint, payload, attempt: 1, cursor: {}, exclude: senderId },
      fanoutDepsFor(deps, endpoint, invocation),
    );
    const { errorNames, forbidden, staleDeleteFailed, lostListRemainder, ...counts } = report;
    const misconfigured = forbidden > 0;
    const incomplete = report.lost > 0 || lostListRemainder;
    return {
      response: { statusCode: 200 },
      level: misconfigured || incomplete ? 'error' : report.failed > 0 ? 'warn' : 'info',
      outcome: 'broadcast',
      details: {
        ...counts,
        ...(staleDeleteFailed > 0 && { staleDeleteFailed }),
        ...(lostListRemainder && { lostListRemainder }),
        ...(Object.keys(errorNames).length > 0 && { errors: errorNames }),
        ...(misconfigured && {
          configurationError:
            'ForbiddenException from the management API: check APIGW_ENDPOINT (it must include the stage) and the execute-api:ManageConnections permission',
        }),
      },
    };
  } catch (error) {
    // The connection list could not be read; tell the sender without revealing why.
    const replied = await replyToSender(
      client,
      senderId,
      buildErrorEvent('internal_error', 'The message could not be delivered. Please try again.'),
    );
    return {
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'broadcast_failed',
      details: { error: error instanceof Error ? error.name : 'UnknownError', replied },
    };
  }
};

/** Posts an error event to the sender; a sender that left meanwhile is no failure of ours. */
async function replyToSender(
  client: ApiGatewayManagementApiClient,
  senderId: string,
  errorEvent: ErrorEvent,
): Promise<boolean> {
  try {
    await sdkPoster(client)(senderId, new TextEncoder().encode(JSON.stringify(errorEvent)));
    return true;
  } catch {
    return false;
  }
}
