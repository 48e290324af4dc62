/**
 * Presence in small rooms: when someone joins or leaves a room of at most
 * PRESENCE_MAX_MEMBERS, everyone else who understands presence (protocol 3 on) gets the new head
 * count at once. The count told is a fresh listing of the room, exact whatever the stored count
 * says, and it corrects the stored count (conditionally, like every correction), so a small room
 * hears every join and leave however far the stored count had drifted. Larger rooms get no such
 * broadcast (it would cost one post per member per join and leave); their members see the count
 * when they join and on every message.
 *
 * Old clients (no protocol version) never get a presence frame: the reference design's page
 * would show it as a line reading "undefined".
 */

import contract from '../../../contract/contract.json' with { type: 'json' };
import type { FanoutDeps } from '../broadcast/fanout.ts';
import { runFanout } from '../broadcast/fanout.ts';
import { understandsControlFrames } from '../protocol/version.ts';
import type { ConnectionStore } from './connection-store.ts';
import { presenceFrame } from './history.ts';
import type { HeadCount, RoomStore } from './room-store.ts';

/** Rooms up to this size hear about every join and leave. */
const PRESENCE_MAX_MEMBERS = contract.limits.presenceMaxMembers;

/** What a presence update needs. */
export interface PresenceDeps {
  readonly store: Pick<ConnectionStore, 'listSmallRoom' | 'protocolVersions'>;
  readonly rooms: Pick<RoomStore, 'correctMembers'>;
  /** The management API endpoint. */
  readonly endpoint: string;
  /** The poster, store and clocks of the running invocation's fan-out. */
  readonly fanout: FanoutDeps;
}

/** Who changed the room. */
export interface MembershipChange {
  /** A member who just joined: counted even if the room's index does not show it yet; not told. */
  readonly joined?: string;
  /** A member who just left: not counted even if the room's index still shows it. */
  readonly left?: string;
}

/** A room's head count as a presence update found it. */
export interface RoomCount {
  /** The head count: exact in a small room, the stored one in a large room. */
  readonly count: number;
  /** The members listed, in a room small enough to be listed whole and told. */
  readonly members: readonly string[] | undefined;
  /** Whether the stored count was wrong and has been set right. */
  readonly corrected: boolean;
}

/** What a presence update found and did. */
export interface PresenceReport extends Omit<RoomCount, 'members'> {
  /** Members told the new count. */
  readonly told: number;
}

/**
 * Lists a small room, corrects its stored count and tells its members who understand presence.
 * @param room - the room
 * @param stored - its stored count, and the version read before listing
 * @param change - who joined or left
 * @param deps - the stores, the endpoint and the fan-out
 * @returns the count and what was done; a large room is only counted as stored
 */
export async function announcePresence(
  room: string,
  stored: HeadCount,
  change: MembershipChange,
  deps: PresenceDeps,
): Promise<PresenceReport> {
  const counted = await countRoom(room, stored, change, deps);
  const told = await tellRoom(room, counted, change, deps);
  return { count: counted.count, corrected: counted.corrected, told };
}

/**
 * Counts a room after a join or leave: a small room by listing it (and correcting its stored
 * count, unless a join or leave raced the listing), a large one as stored.
 * @param room - the room
 * @param stored - its stored count, and the version read before listing
 * @param change - who joined or left
 * @param deps - the stores and the fan-out's clock
 * @returns the count, and the members of a small room
 */
export async function countRoom(
  room: string,
  stored: HeadCount,
  change: MembershipChange,
  deps: Pick<PresenceDeps, 'store' | 'rooms' | 'fanout'>,
): Promise<RoomCount> {
  const { joined, left } = change;
  const listed = await deps.store.listSmallRoom(room, deps.fanout.now(), PRESENCE_MAX_MEMBERS);
  const large: RoomCount = {
    count: joined === undefined ? stored.members : Math.max(1, stored.members),
    members: undefined,
    corrected: false,
  };
  if (listed === undefined) return large;
  const members = listed.filter((id) => id !== left);
  if (joined !== undefined && !members.includes(joined)) members.push(joined);
  if (members.length > PRESENCE_MAX_MEMBERS) return large;
  const count = members.length;
  const corrected =
    count !== stored.members &&
    (await deps.rooms
      .correctMembers(room, count, stored.membersVersion, deps.fanout.now())
      .catch(() => false));
  return { count, members, corrected };
}

/**
 * Tells the members of a small room who understand presence its count (one BatchGetItem reads
 * who they are); the one who joined is not told here (it gets its own reply).
 * @param room - the room
 * @param counted - the count and the members listed (a large room is not told)
 * @param change - who joined or left
 * @param deps - the stores, the endpoint and the fan-out
 * @returns the members told
 */
export async function tellRoom(
  room: string,
  counted: RoomCount,
  change: MembershipChange,
  deps: PresenceDeps,
): Promise<number> {
  const others = (counted.members ?? []).filter((id) => id !== change.joined);
  if (others.length === 0) return 0;
  const versions = await deps.store.protocolVersions(others);
  const recipients = others.filter((id) => understandsControlFrames(versions.get(id)));
  if (recipients.length === 0) return 0;
  const report = await runFanout(
    {
      endpoint: deps.endpoint,
      payload: presenceFrame(room, counted.count),
      attempt: 1,
      recipients,
    },
    // A presence update is one small page by construction: never worth a shard.
    { ...deps.fanout, queue: undefined },
  );
  return report.delivered;
}
