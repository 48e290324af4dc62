/**
 * A history request (`{"action":"history"}`, sent by the page once its socket is open, since
 * nothing can be posted during `$connect`): the room's kept messages, oldest first, in as many
 * frames as the 128 KB message limit needs, each with the room's serial (`head`) and the oldest
 * kept one; then, to a client of protocol 3, its head count. A small room hears the new count
 * too. With `after` (a serial, or a message id from a protocol 2 page), only what a reconnecting
 * client missed.
 */

import { presenceDepsFor } from '../deps.ts';
import { understandsControlFrames } from '../protocol/version.ts';
import { historyFrames, presenceFrame } from '../rooms/history.ts';
import { countRoom, tellRoom } from '../rooms/presence.ts';
import type { RoomSnapshot } from '../rooms/room-store.ts';
import type { FrameHandler } from './frame-context.ts';
import { replyReadFailed, replyToSender } from './reply.ts';

/** Sends the sender its room's history and head count. */
export const sendHistory: FrameHandler<'history'> = async (frame, context, sender) => {
  const { deps, senderId, endpoint, client, invocation } = context;
  const { room, protocolVersion } = sender;
  let snapshot: RoomSnapshot;
  try {
    snapshot = await deps.rooms.snapshot(room, deps.now());
  } catch (error) {
    return replyReadFailed(client, senderId, {
      room,
      error,
      outcome: 'history_failed',
      message: 'The history could not be read. Please reconnect.',
    });
  }
  const history = historyFrames(room, snapshot, frame.after);
  // In order, one after another: the client shows them as they come.
  let delivered = 0;
  for (const part of history.frames) if (await replyToSender(client, senderId, part)) delivered++;
  // The room is listed after its count's version was read: a small room's count is exact.
  const presenceDeps = presenceDepsFor(deps, endpoint, invocation);
  const change = { joined: senderId };
  const counted = await countRoom(room, snapshot, change, presenceDeps).catch(() => undefined);
  // The sender itself is counted even if its $connect's count has not landed yet.
  const members = counted?.count ?? Math.max(1, snapshot.members);
  if (understandsControlFrames(protocolVersion)) {
    await replyToSender(client, senderId, presenceFrame(room, members));
  }
  const told =
    counted === undefined ? 0 : await tellRoom(room, counted, change, presenceDeps).catch(() => 0);
  return {
    response: { statusCode: 200 },
    outcome: 'history',
    details: {
      room,
      messages: history.messages,
      frames: history.frames.length,
      framesDelivered: delivered,
      head: snapshot.head,
      members,
      presenceTold: told,
      ...(counted?.corrected === true && { corrected: true }),
    },
  };
};
