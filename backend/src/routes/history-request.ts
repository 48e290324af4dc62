/**
 * A history request (`{"action":"history"}`, sent by the page once its socket is open, since
 * nothing can be posted during `$connect`): the room's kept messages, oldest first, in as many
 * frames as the 128 KB message limit needs, then its head count; a small room hears the new count
 * too. With `after`, only what a reconnecting client missed.
 */

import { fanoutDepsFor } from '../deps.ts';
import { historyFrames, presenceFrame } from '../rooms/history.ts';
import { announcePresence } from '../rooms/presence.ts';
import type { FrameHandler } from './frame-context.ts';
import { spendToken } from './frame-context.ts';
import { replyReadFailed, replyToSender } from './reply.ts';

/** Sends the sender its room's history and head count. */
export const sendHistory: FrameHandler<'history'> = async (frame, context) => {
  const { deps, senderId, endpoint, client, invocation } = context;
  const token = await spendToken(context);
  if ('refused' in token) return token.refused;
  const { room } = token;
  let snapshot: Awaited<ReturnType<typeof deps.rooms.snapshot>>;
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
  const history = historyFrames(room, snapshot.messages, frame.after);
  // In order, one after another: the client shows them as they come.
  let delivered = 0;
  for (const part of history.frames) if (await replyToSender(client, senderId, part)) delivered++;
  // The sender itself is counted even if its $connect's count has not landed yet.
  const members = Math.max(1, snapshot.members);
  await replyToSender(client, senderId, presenceFrame(room, members));
  const told = await announcePresence(
    room,
    members,
    senderId,
    endpoint,
    fanoutDepsFor(deps, endpoint, invocation),
  ).catch(() => 0);
  return {
    response: { statusCode: 200 },
    outcome: 'history',
    details: {
      room,
      messages: history.messages,
      frames: history.frames.length,
      framesDelivered: delivered,
      members,
      presenceTold: told,
    },
  };
};
