/**
 * `$default`: the chat message route. Validates the frame, then broadcasts a server-built event
 * to every live connection except the sender; an invalid frame only earns the sender an error.
 */

import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { broadcastToConnections } from '../broadcaster.ts';
import { managementEndpointFor } from '../management-clients.ts';
import type { ErrorEvent } from '../message.ts';
import { buildErrorEvent, buildMessageEvent, parseClientFrame } from '../message.ts';
import type { RouteHandler } from '../types.ts';

/** Validates and broadcasts one client frame. */
export const handleChatMessage: RouteHandler = async (event, deps) => {
  const { config, store } = deps;
  const senderId = event.requestContext.connectionId;
  const frame = parseClientFrame(event.body, config.maxMessageLength);
  if (frame.kind === 'ping') return { response: { statusCode: 200 }, outcome: 'ping' };

  const client = deps.managementClientFor(managementEndpointFor(event, config.apigwEndpoint));
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
  const payload = JSON.stringify(buildMessageEvent(frame.chatMessage, now));
  try {
    const result = await broadcastToConnections(
      recipientsExcept(store.liveConnectionIdPages(now), senderId),
      payload,
      {
        client,
        concurrency: config.sendConcurrency,
        onGone: (connectionId) => store.remove(connectionId),
      },
    );
    const misconfigured = result.forbidden > 0;
    return {
      response: { statusCode: 200 },
      level: misconfigured ? 'error' : result.failed > 0 ? 'warn' : 'info',
      outcome: 'broadcast',
      details: {
        delivered: result.delivered,
        gone: result.gone,
        failed: result.failed,
        ...(result.staleDeleteFailed > 0 && { staleDeleteFailed: result.staleDeleteFailed }),
        ...(result.failed > 0 && { errors: result.errorNames }),
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

/** Flattens Scan pages into recipient ids, leaving the sender out. */
async function* recipientsExcept(
  pages: AsyncIterable<readonly string[]>,
  senderId: string,
): AsyncGenerator<string> {
  for await (const page of pages) {
    for (const connectionId of page) {
      if (connectionId !== senderId) yield connectionId;
    }
  }
}

/** Posts an error event to the sender; a sender that left meanwhile is no failure of ours. */
async function replyToSender(
  client: ApiGatewayManagementApiClient,
  senderId: string,
  errorEvent: ErrorEvent,
): Promise<boolean> {
  try {
    await client.send(
      new PostToConnectionCommand({ ConnectionId: senderId, Data: JSON.stringify(errorEvent) }),
    );
    return true;
  } catch {
    return false;
  }
}
