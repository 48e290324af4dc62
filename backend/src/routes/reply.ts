/**
 * What the `$default` frame handlers share: a reply to the sender alone, and the sender's room.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { sdkPoster } from '../broadcast/poster.ts';
import { errorName } from '../errors.ts';
import { buildErrorEvent } from '../protocol/message.ts';
import type { RouteOutcome } from './route.ts';

/**
 * Posts one frame to the sender; a sender that left meanwhile is no failure of ours.
 * @param client - the management API client
 * @param senderId - the sender's connection id
 * @param frame - the serialised frame
 * @returns whether it was delivered
 */
export async function replyToSender(
  client: ApiGatewayManagementApiClient,
  senderId: string,
  frame: string,
): Promise<boolean> {
  try {
    await sdkPoster(client)(senderId, new TextEncoder().encode(frame));
    return true;
  } catch {
    return false;
  }
}

/** A read the sender's frame needed that failed: what the sender is told, and what is logged. */
export interface FailedRead {
  readonly room: string;
  readonly error: unknown;
  /** The invocation's outcome in its log line. */
  readonly outcome: string;
  /** What the sender is told: what did not happen and what to do, never why. */
  readonly message: string;
  /** The client id of the frame that failed, if it had one. */
  readonly clientId?: string;
}

/**
 * Tells the sender that a read its frame needed failed, without revealing why; the log gets the
 * error's name only.
 * @param client - the management API client
 * @param senderId - the sender's connection id
 * @param failure - the room, the error and what to say
 * @returns the invocation's outcome (500, level error)
 */
export async function replyReadFailed(
  client: ApiGatewayManagementApiClient,
  senderId: string,
  failure: FailedRead,
): Promise<RouteOutcome> {
  const replied = await replyToSender(
    client,
    senderId,
    JSON.stringify(
      buildErrorEvent('internal_error', failure.message, { clientId: failure.clientId }),
    ),
  );
  return {
    response: { statusCode: 500 },
    level: 'error',
    outcome: failure.outcome,
    details: { room: failure.room, error: errorName(failure.error), replied },
  };
}
