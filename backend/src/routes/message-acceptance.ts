/**
 * Accepting a chat message: the steps that give it its place in the room, in this order.
 *
 * 1. With a client id, claim it (message-claims.ts): a message accepted before is answered with
 *    its original ack, and nothing is written or broadcast again; one being accepted by another
 *    invocation right now is answered with nothing (the client waits and sends it again).
 * 2. The room's next serial, from the room item's counter (the write every message makes anyway).
 * 3. The commit: the history slot and the client id's record in one transaction.
 *
 * A message is accepted once committed, never before: until then every failure is answered
 * "try again" (with the client id), the serial it may have taken stays unused (clients count it
 * as seen once a history reply's `head` covers it), and the claim is given up so the retry
 * starts over. After the commit nothing tells the sender to try again.
 */

import type { MessageEvent, ParsedFrame } from '../protocol/message.ts';
import { buildAckEvent, buildMessageEvent } from '../protocol/message.ts';
import type { Claim } from '../rooms/message-claims.ts';
import type { RoomSerial } from '../rooms/room-store.ts';
import type { FrameContext, SenderConnection } from './frame-context.ts';
import { replyReadFailed, replyToSender } from './reply.ts';
import type { RouteOutcome } from './route.ts';

/** A message the room has accepted: committed with its serial. */
export interface AcceptedMessage {
  readonly room: string;
  /** The client's id of the message, if it gave one (then it gets an ack). */
  readonly clientId: string | undefined;
  readonly event: MessageEvent;
  /** The room's head count, read by the serial write (undefined if never counted). */
  readonly members: number | undefined;
  /** The head count's version, read before any listing of the room. */
  readonly membersVersion: number;
  /** Whether a dead invocation's claim of the client id was taken over. */
  readonly tookOver: boolean;
}

/** What accepting a message came to. */
export type Acceptance =
  | { readonly kind: 'accepted'; readonly message: AcceptedMessage }
  /** Answered already: a duplicate, a message in progress elsewhere, or a failure. */
  | { readonly kind: 'answered'; readonly outcome: RouteOutcome };

/** What the sender is told when its message could not be accepted: it was not, so try again. */
const NOT_ACCEPTED = 'The message could not be sent. Please try again.';

/**
 * Claims, numbers and commits a chat message.
 * @param frame - the validated message and its client id
 * @param sender - the sender's room and, signed in, its verified id and name
 * @param context - the sender, the stores and the clock
 * @returns the accepted message, or the outcome already answered
 */
export async function acceptMessage(
  frame: Extract<ParsedFrame, { kind: 'message' }>,
  sender: SenderConnection,
  context: FrameContext,
): Promise<Acceptance> {
  const { room } = sender;
  const { deps, client, senderId } = context;
  const { clientId } = frame;
  const now = deps.now();
  const refuse = async (
    outcome: string,
    error: unknown,
    claim?: Claim,
    extra: Record<string, unknown> = {},
  ): Promise<Acceptance> => {
    if (claim !== undefined) await deps.claims.release(claim);
    const answered = await replyReadFailed(client, senderId, {
      room,
      error,
      outcome,
      message: NOT_ACCEPTED,
      clientId,
    });
    return {
      kind: 'answered',
      outcome: { ...answered, details: { ...answered.details, ...extra } },
    };
  };

  let claim: Claim | undefined;
  let tookOver = false;
  if (clientId !== undefined) {
    let claimed: Awaited<ReturnType<typeof deps.claims.claim>>;
    try {
      claimed = await deps.claims.claim(room, clientId, now);
    } catch (error) {
      return refuse('claim_failed', error);
    }
    if (claimed.kind === 'committed') {
      const ack = buildAckEvent({ clientId, id: claimed.id, seq: claimed.seq, room });
      const replied = await replyToSender(client, senderId, JSON.stringify(ack));
      return {
        kind: 'answered',
        outcome: {
          response: { statusCode: 200 },
          outcome: 'duplicate',
          details: { room, seq: claimed.seq, replied },
        },
      };
    }
    if (claimed.kind === 'in_progress') {
      return {
        kind: 'answered',
        outcome: { response: { statusCode: 200 }, outcome: 'in_progress', details: { room } },
      };
    }
    claim = claimed.claim;
    tookOver = claimed.tookOver;
  }

  let serial: RoomSerial;
  try {
    serial = await deps.rooms.nextSerial(room, now);
  } catch (error) {
    return refuse('serial_failed', error, claim);
  }
  const id = deps.newMessageId(now);
  const event = buildMessageEvent(frame.chatMessage, now, id, room, serial.seq, sender.verified);
  try {
    await deps.rooms.commitMessage(
      room,
      { id, seq: serial.seq, event: JSON.stringify(event) },
      claim,
      now,
    );
  } catch (error) {
    return refuse('commit_failed', error, claim, { voidSeq: serial.seq });
  }
  return {
    kind: 'accepted',
    message: {
      room,
      clientId,
      event,
      members: serial.members,
      membersVersion: serial.membersVersion,
      tookOver,
    },
  };
}
