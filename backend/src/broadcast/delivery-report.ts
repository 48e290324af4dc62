/**
 * What the sender of a message learns when part of its room could not be reached: the
 * `delivery_incomplete` frame (protocol v3). The message is accepted and in history; `unreached`
 * members were dead-lettered (for instance SQS refused the hand-off and the accepting invocation
 * ran out of time). It never says "try again": a retry would be a second message.
 */
import type { FanoutReport } from './fanout.ts';

/** The frame a v3 sender gets. */
export interface DeliveryIncompleteEvent {
  readonly type: 'delivery_incomplete';
  readonly clientId: string;
  readonly id: string;
  readonly seq?: number;
  readonly room: string;
  readonly unreached: number;
}

/** Recipients behind a rest of the room that went off as a cursor, as far as can be told. */
export interface RemainderEstimate {
  readonly deadLettered: number;
  readonly lost: number;
}

/**
 * Estimates how many members a cursor left unreached: the room's head count less the members
 * this invocation read. Zero when no cursor was dead-lettered or lost, or the count is unknown.
 * @param report - the accepting invocation's fan-out report
 * @param members - the room's head count when the message was accepted, if known
 * @returns the estimate, split by where the cursor went
 */
export function remainderEstimate(
  report: Pick<FanoutReport, 'deadLetteredRemainder' | 'lostListRemainder' | 'listed'>,
  members: number | undefined,
): RemainderEstimate {
  const behind = members === undefined ? 0 : Math.max(0, members - report.listed);
  return {
    deadLettered: report.deadLetteredRemainder ? behind : 0,
    lost: report.lostListRemainder ? behind : 0,
  };
}

/**
 * The sender's client id, when the frame carries one (a v3 page; older clients send none).
 * @param frame - the parsed chat frame
 * @returns the client id, or undefined
 */
export function senderClientIdOf(frame: object): string | undefined {
  return 'clientId' in frame && typeof frame.clientId === 'string' ? frame.clientId : undefined;
}

/**
 * The room's serial of a message event, when it has one.
 * @param event - the server-built message event
 * @returns its `seq`, or undefined
 */
export function serialOf(event: object): number | undefined {
  return 'seq' in event && typeof event.seq === 'number' ? event.seq : undefined;
}

/**
 * Builds the frame.
 * @param fields - the sender's client id, the message's id, serial and room, and the count
 * @returns the frame
 */
export function buildDeliveryIncomplete(
  fields: Omit<DeliveryIncompleteEvent, 'type'>,
): DeliveryIncompleteEvent {
  return { type: 'delivery_incomplete', ...fields };
}
