/**
 * Presence in small rooms: when someone joins or leaves a room of at most
 * PRESENCE_BROADCAST_MAX_MEMBERS, everyone else gets the new head count at once. Larger rooms get
 * no such broadcast (it would cost one post per member per join and leave); their members see
 * the count when they join and with every history reply.
 */
import type { FanoutDeps } from '../broadcast/fanout.ts';
import { runFanout } from '../broadcast/fanout.ts';
import { presenceFrame } from './history.ts';

/** Rooms up to this size hear about every join and leave. */
const PRESENCE_BROADCAST_MAX_MEMBERS = 20;

/**
 * Tells a small room its new head count.
 * @param room - the room
 * @param members - its head count now
 * @param exclude - a member not to tell (the one who joined learns it from its own reply)
 * @param endpoint - the management API endpoint
 * @param fanout - the poster, store and clocks of the running invocation's fan-out
 * @returns how many members were told (0 in a large room)
 */
export async function announcePresence(
  room: string,
  members: number,
  exclude: string | undefined,
  endpoint: string,
  fanout: FanoutDeps,
): Promise<number> {
  if (members > PRESENCE_BROADCAST_MAX_MEMBERS) return 0;
  const report = await runFanout(
    {
      endpoint,
      payload: presenceFrame(room, members),
      attempt: 1,
      cursor: { room },
      ...(exclude !== undefined && { exclude }),
    },
    // A presence update is one page by construction: never worth a shard.
    { ...fanout, queue: undefined },
  );
  return report.delivered;
}
