/**
 * How many members a broadcast's lost remainder held. When the rest of a room's list went off as
 * a cursor (to the dead-letter queue, or nowhere), nobody read it, so the report cannot count its
 * recipients: the room's head count less the members read is the best estimate, for the metrics
 * and for the sender's `delivery_incomplete`.
 */
import type { FanoutReport } from './fanout.ts';

/** Recipients behind a rest of the room that went off as a cursor, as far as can be told. */
export interface RemainderEstimate {
  readonly deadLettered: number;
  readonly lost: number;
}

/**
 * Estimates how many members a cursor left unreached: the room's head count less the members
 * this invocation read (less the sender, who gets no copy, when nobody was read). Zero when no
 * cursor was dead-lettered or lost, or the count is unknown.
 * @param report - the accepting invocation's fan-out report
 * @param members - the room's head count when the message was accepted, if known
 * @returns the estimate, split by where the cursor went
 */
export function remainderEstimate(
  report: Pick<FanoutReport, 'deadLetteredRemainder' | 'lostListRemainder' | 'listed'>,
  members: number | undefined,
): RemainderEstimate {
  const behind = members === undefined ? 0 : Math.max(0, members - Math.max(report.listed, 1));
  return {
    deadLettered: report.deadLetteredRemainder ? behind : 0,
    lost: report.lostListRemainder ? behind : 0,
  };
}
