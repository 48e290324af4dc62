/**
 * A chat message: spends a token of the sender's rate limit, is accepted into the room (its
 * client id claimed, its serial taken, its history slot and idempotency record committed:
 * message-acceptance.ts), acknowledged to a sender that gave a client id, then broadcast as a
 * server-built event to every member of the sender's room but the sender (see fanout.ts for how a
 * large room is split into shards). A rate-limited message never becomes work for other
 * invocations. Once accepted, a message is never answered "try again": what cannot be delivered
 * now goes to the queue, and what even the queue refuses is reported to the sender as
 * `delivery_incomplete`.
 */

import type { FanoutReport } from '../broadcast/fanout.ts';
import { emptyFanoutReport, runFanout } from '../broadcast/fanout.ts';
import type { ShardJob } from '../broadcast/shard-job.ts';
import { fanoutDepsFor } from '../deps.ts';
import { errorName } from '../errors.ts';
import { buildAckEvent, buildDeliveryIncompleteEvent } from '../protocol/message.ts';
import type { FrameContext, FrameHandler } from './frame-context.ts';
import { spendToken } from './frame-context.ts';
import type { AcceptedMessage } from './message-acceptance.ts';
import { acceptMessage } from './message-acceptance.ts';
import { replyToSender } from './reply.ts';

/** Accepts one validated chat message and broadcasts it to the sender's room. */
export const sendChatMessage: FrameHandler<'message'> = async (frame, context) => {
  const token = await spendToken(context, frame.clientId);
  if ('refused' in token) return token.refused;
  const acceptance = await acceptMessage(frame, token.room, context);
  if (acceptance.kind === 'answered') return acceptance.outcome;
  const { message } = acceptance;
  const { room, clientId, event } = message;
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

  const { report, readFailed } = await fanOutAccepted(message, context);
  await correctHeadCount(message, report, context);
  const unreached = unreachedMembers(message, report);
  const reported =
    unreached > 0 &&
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
    ...counts
  } = report;
  const misconfigured = forbidden > 0;
  return {
    response: { statusCode: 200 },
    level:
      misconfigured || unreached > 0 || lostListRemainder
        ? 'error'
        : report.failed > 0 || readFailed !== undefined
          ? 'warn'
          : 'info',
    outcome: 'broadcast',
    details: {
      room,
      seq: event.seq,
      ...(accepted !== undefined && { acked }),
      ...(message.tookOver && { tookOver: true }),
      ...counts,
      ...(readFailed !== undefined && { readFailed }),
      ...(staleDeleteFailed > 0 && { staleDeleteFailed }),
      ...(lostListRemainder && { lostListRemainder }),
      ...(unreached > 0 && { unreached, deliveryIncompleteReported: reported }),
      ...(Object.keys(errorNames).length > 0 && { errors: errorNames }),
      ...(misconfigured && {
        configurationError:
          'ForbiddenException from the management API: check APIGW_ENDPOINT (it must include the stage) and the execute-api:ManageConnections permission',
      }),
    },
  };
};

/**
 * The fan-out of an accepted message to its room but the sender. If the room cannot even be
 * read, the whole broadcast goes to the queue as a cursor job, for a shard worker to read and
 * post (and SQS to retry): the message is accepted, so the sender is never told to try again.
 */
async function fanOutAccepted(
  message: AcceptedMessage,
  context: FrameContext,
): Promise<{ readonly report: FanoutReport; readonly readFailed: string | undefined }> {
  const { deps, senderId, endpoint, invocation } = context;
  // The live copy carries the room's head count: presence refreshed by every message, with no
  // post of its own however large the room (the kept copy goes without: it would be stale).
  const { members, event } = message;
  const payload = JSON.stringify(members === undefined ? event : { ...event, members });
  const job: ShardJob = {
    endpoint,
    payload,
    attempt: 1,
    cursor: { room: message.room },
    exclude: senderId,
  };
  try {
    return {
      report: await runFanout(job, fanoutDepsFor(deps, endpoint, invocation)),
      readFailed: undefined,
    };
  } catch (error) {
    const report = emptyFanoutReport();
    const unsent =
      deps.shardQueue === undefined
        ? [job]
        : await deps.shardQueue.enqueue([job]).catch(() => [job]);
    if (unsent.length > 0) report.lostListRemainder = true;
    else report.shards = 1;
    return { report, readFailed: errorName(error) };
  }
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
  await context.deps.rooms
    .correctMembers(message.room, report.listed, message.membersVersion, context.deps.now())
    .catch(() => false);
}

/**
 * Members the message will not reach: recipients that neither this invocation nor the queue
 * took, and, when part of the room's list could not be handed off, the members it holds (an
 * estimate from the head count, since that part was never read).
 */
function unreachedMembers(message: AcceptedMessage, report: FanoutReport): number {
  const unread = report.lostListRemainder
    ? Math.max(0, (message.members ?? 0) - Math.max(report.listed, 1))
    : 0;
  return report.lost + unread;
}
