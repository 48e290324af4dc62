/**
 * A chat message: spends a token of the sender's rate limit, keeps the message for the room's
 * history, then broadcasts a server-built event to every member of the sender's room but the
 * sender (see fanout.ts for how a large room is split into shards). A rate-limited message never
 * becomes work for other invocations.
 */

import {
  buildDeliveryIncomplete,
  remainderEstimate,
  senderClientIdOf,
  serialOf,
} from '../broadcast/delivery-report.ts';
import { runFanout } from '../broadcast/fanout.ts';
import { recordFanoutMetrics } from '../broadcast/fanout-metrics.ts';
import { fanoutDepsFor } from '../deps.ts';
import { buildMessageEvent } from '../protocol/message.ts';
import type { FrameHandler } from './frame-context.ts';
import { spendToken } from './frame-context.ts';
import { replyReadFailed, replyToSender } from './reply.ts';

/** Broadcasts one validated chat message to the sender's room. */
export const sendChatMessage: FrameHandler<'message'> = async (frame, context) => {
  const { deps, senderId, endpoint, invocation } = context;
  const token = await spendToken(context);
  if ('refused' in token) return token.refused;
  const { room } = token;
  const now = deps.now();
  const id = deps.newMessageId(now);
  const event = buildMessageEvent(frame.chatMessage, now, id, room);

  // History is a courtesy: a message that could not be kept is still delivered.
  const kept = await deps.rooms.keepMessage(room, { id, event: JSON.stringify(event) }, now).then(
    (members) => ({ members }),
    () => undefined,
  );
  deps.metrics.count('messagesAccepted', 1);
  // The live copy carries the room's head count: presence refreshed by every message, with no
  // post of its own however large the room (the kept copy goes without: it would be stale).
  const members = kept?.members;
  const payload = JSON.stringify(members === undefined ? event : { ...event, members });
  const seq = serialOf(event);
  const message = { id, room, acceptedAt: now.getTime(), ...(seq !== undefined && { seq }) };
  try {
    const report = await runFanout(
      { endpoint, payload, attempt: 1, cursor: { room }, exclude: senderId, message },
      fanoutDepsFor(deps, endpoint, invocation),
    );
    const remainder = remainderEstimate(report, members);
    recordFanoutMetrics(deps.metrics, report, now.getTime(), remainder);
    if (report.listComplete && report.listed !== members) {
      // This invocation read the whole room: its exact head count corrects a drift from lost
      // $disconnects, with one small write only when the stored count was wrong.
      await deps.rooms.setMembers(room, report.listed, now).catch(() => {});
    }
    // Members dead-lettered (or lost) here: a v3 sender hears how many, never "try again".
    const unreached = report.deadLettered + report.lost + remainder.deadLettered + remainder.lost;
    const clientId = senderClientIdOf(frame);
    const partial = unreached > 0 || report.deadLetteredRemainder || report.lostListRemainder;
    const toldSender =
      partial && clientId !== undefined
        ? await replyToSender(
            context.client,
            senderId,
            JSON.stringify(
              buildDeliveryIncomplete({
                clientId,
                id,
                ...(seq !== undefined && { seq }),
                room,
                unreached,
              }),
            ),
          )
        : undefined;
    const {
      errorNames,
      forbidden,
      staleDeleteFailed,
      lostListRemainder,
      listComplete: _listComplete,
      lastDeliveredAt: _lastDeliveredAt,
      deadLetterReasons,
      deadLetteredRemainder,
      ...counts
    } = report;
    const misconfigured = forbidden > 0;
    const incomplete = partial;
    return {
      response: { statusCode: 200 },
      level:
        misconfigured || incomplete || kept === undefined
          ? 'error'
          : report.failed > 0
            ? 'warn'
            : 'info',
      outcome: 'broadcast',
      details: {
        room,
        ...counts,
        ...(kept === undefined && { historyFailed: true }),
        ...(staleDeleteFailed > 0 && { staleDeleteFailed }),
        ...(lostListRemainder && { lostListRemainder }),
        ...(deadLetteredRemainder && { deadLetteredRemainder }),
        ...(Object.keys(deadLetterReasons).length > 0 && { deadLetterReasons }),
        ...(toldSender !== undefined && { deliveryIncompleteSent: toldSender }),
        ...(Object.keys(errorNames).length > 0 && { errors: errorNames }),
        ...(misconfigured && {
          configurationError:
            'ForbiddenException from the management API: check APIGW_ENDPOINT (it must include the stage) and the execute-api:ManageConnections permission',
        }),
      },
    };
  } catch (error) {
    // The room's members could not be read.
    return replyReadFailed(context.client, senderId, {
      room,
      error,
      outcome: 'broadcast_failed',
      message: 'The message could not be delivered. Please try again.',
    });
  }
};
