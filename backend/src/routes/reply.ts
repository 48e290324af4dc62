/**
 * What the `$default` frame handlers share: a reply to the sender alone, and the sender's room.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { sdkPoster } from '../poster.ts';

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
