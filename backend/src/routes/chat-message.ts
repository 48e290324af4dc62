/**
 * A chat message, once its sender's budget allowed it (frame-context.ts): accepted into the room (its
 * client id claimed, its serial taken, its history slot and idempotency record committed:
 * message-acceptance.ts), acknowledged to a sender that gave a client id, then broadcast as a
 * server-built event to every member of the sender's room but the sender (see fanout.ts for how a
 * large room is split into shards, paced and retried). A rate-limited message never becomes work
 * for other invocations. Once accepted, a message is never answered "try again": what cannot be
 * delivered now goes to the queue, what the queue refuses to the dead-letter queue, and a v3
 * sender hears how many members that left unreached (`delivery_incomplete`).
 */
import { remainderEstimate } from '../broadcast/delivery-report.ts';
import type { FanoutReport } from '../broadcast/fanout.ts';
import { runFanout } from '../broadcast/fanout.ts';
import { recordFanoutMetrics } from '../broadcast/fanout-metrics.ts';
import { fanoutDepsFor } from '../deps.ts';
import { buildAckEvent, buildDeliveryIncompleteEvent } from '../protocol/message.ts';
import type { FrameContext, FrameHandler } from './frame-context.ts';
import type { AcceptedMessage } from './message-acceptance.ts';
import { acceptMessage } from './message-acceptance.ts';
import { replyToSender } from './reply.ts';

/** Accepts one validated chat message and broadcasts it to the sender's room. */
export const sendChatMessage: FrameHandler<'message'> = async (frame, context, sender) => {
  const acceptance = await acceptMessage(frame, sender, context);
  if (acceptance.kind === 'answered') return acceptance.outcome;
  const { message } = acceptance;
  const { room, clientId, event } = message;
  context.deps.metrics.count('messagesAccepted', 1);
  const accepted =
    clientId === undefined ? undefined : { clientId, id: event.id, seq: event.seq, room };
  // The sender learns at once that its message is in, before any member gets it.
  const acked =
    accepted !== undefined &&
    (await replyToSender(
      context.client,
      context.senderId,
      JSON.stringify(buildAckEvent(accepted)),
    ));

  const report = await fanOutAccepted(message, context);
  await correctHeadCount(message, report, context);
  const remainder = remainderEstimate(report, message.members);
  recordFanoutMetrics(
    context.deps.metrics,
    report,
    { room, acceptedAt: Date.parse(event.sentAt) },
    remainder,
  );
  // Members dead-lettered (or lost) here: a v3 sender hears how many, never "try again".
  const unreached = report.deadLettered + report.lost + remainder.deadLettered + remainder.lost;
  const partial = unreached > 0 || report.deadLetteredRemainder || report.lostListRemainder;
  const reported =
    partial &&
    accepted !== undefined &&
    (await replyToSender(
      context.client,
      context.senderId,
      JSON.stringify(buildDeliveryIncompleteEvent(accepted, unreached)),
    ));

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
  return {
    response: { statusCode: 200 },
    level:
      misconfigured || partial
        ? 'error'
        : report.failed > 0 || report.readFailed !== undefined
          ? 'warn'
          : 'info',
    outcome: 'broadcast',
    details: {
      room,
      seq: event.seq,
      ...(accepted !== undefined && { acked }),
      ...(message.tookOver && { tookOver: true }),
      ...counts,
      ...(staleDeleteFailed > 0 && { staleDeleteFailed }),
      ...(lostListRemainder && { lostListRemainder }),
      ...(deadLetteredRemainder && { deadLetteredRemainder }),
      ...(Object.keys(deadLetterReasons).length > 0 && { deadLetterReasons }),
      ...(partial && { unreached, deliveryIncompleteReported: reported }),
      ...(Object.keys(errorNames).length > 0 && { errors: errorNames }),
      ...(misconfigured && {
        configurationError:
          'ForbiddenException from the management API: check APIGW_ENDPOINT (it must include the stage) and the execute-api:ManageConnections permission',
      }),
    },
  };
};

/**
 * The fan-out of an accepted message to its room but the sender. The job names the message, so
 * the fan-out retries it until its delivery window ends, and a room that cannot even be read goes
 * to the queue as a cursor job (or, at worst, the dead-letter queue) instead of failing.
 */
function fanOutAccepted(message: AcceptedMessage, context: FrameContext): Promise<FanoutReport> {
  const { deps, senderId, endpoint, invocation } = context;
  // The live copy carries the room's head count: presence refreshed by every message, with no
  // post of its own however large the room (the kept copy goes without: it would be stale).
  const { members, event } = message;
  const payload = JSON.stringify(members === undefined ? event : { ...event, members });
  return runFanout(
    {
      endpoint,
      payload,
      attempt: 1,
      cursor: { room: message.room },
      exclude: senderId,
      message: {
        id: event.id,
        seq: event.seq,
        room: message.room,
        acceptedAt: Date.parse(event.sentAt),
      },
    },
    fanoutDepsFor(deps, endpoint, invocation),
  );
}

/**
 * A fan-out that read the whole room knows its exact head count: it corrects a drift (a lost
 * `$disconnect`, a TTL expiry) with one small write, only when the stored count was wrong, and
 * only if no join or leave came between the serial write's read and the listing.
 */
async function correctHeadCount(
  message: AcceptedMessage,
  report: FanoutReport,
  context: FrameContext,
): Promise<void> {
  if (!report.listComplete || report.listed === message.members) return;
  const { deps } = context;
  const corrected = await deps.rooms
    .correctMembers(message.room, report.listed, message.membersVersion, deps.now())
    .catch(() => false);
  if (!corrected) return;
  // The chat-wide count drifted by as much as the room's did (a lost $disconnect, a TTL expiry).
  const open = await deps.openConnections
    .change(report.listed - (message.members ?? 0))
    .catch(() => undefined);
  if (open !== undefined) deps.metrics.openConnections(open);
}
