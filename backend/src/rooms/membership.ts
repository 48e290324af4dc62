/**
 * A connection's membership of its room, kept in both tables: the connection's item (the
 * connections table) and its room's head count (the rooms table). A connection is counted in
 * once its item exists, and counted out exactly once, by whoever's delete actually removed its
 * item: `$disconnect`, or a broadcast that found it gone (410). A delete that found no item
 * counts no one out, so a `$disconnect` after a 410 clean-up (or the other way round) can never
 * count a connection out twice.
 */
import type { ConnectionStore } from './connection-store.ts';
import type { OpenConnections } from './open-connections.ts';
import type { HeadCount, RoomStore } from './room-store.ts';

/** What membership changes need. */
export interface MembershipDeps {
  readonly store: Pick<ConnectionStore, 'add' | 'remove'>;
  readonly rooms: Pick<RoomStore, 'countIn' | 'countOut'>;
  readonly openConnections: OpenConnections;
  readonly now: () => Date;
}

/** A room's head count after a join or leave, and the chat's open connections if counted. */
export interface CountedChange {
  readonly headCount: HeadCount;
  /** Undefined when the chat-wide count could not be moved (it is only a metric). */
  readonly openConnections: number | undefined;
}

/**
 * Stores a new connection, then counts it in. In that order: a fan-out that reads the count's
 * version and then lists the room can only miss a counted connection through the index's lag,
 * never because its item was still to come.
 * @param deps - the stores and the clock
 * @param connectionId - the new connection
 * @param room - its room
 * @param protocolVersion - the version its URL declared; undefined for an old client
 * @returns the room's head count afterwards, and the chat's open connections
 * @throws when the item or the room's count could not be written; the item is then removed again
 *   (best effort), so no uncounted item is left for a later 410 to count out
 */
export async function joinRoom(
  deps: MembershipDeps,
  connectionId: string,
  room: string,
  protocolVersion: number | undefined,
): Promise<CountedChange> {
  const now = deps.now();
  await deps.store.add(connectionId, now, room, protocolVersion);
  try {
    const [headCount, openConnections] = await Promise.all([
      deps.rooms.countIn(room, now),
      deps.openConnections.change(1).catch(() => undefined),
    ]);
    return { headCount, openConnections };
  } catch (error) {
    await deps.store.remove(connectionId).catch(() => undefined);
    throw error;
  }
}

/** A connection forgotten: its room, and the room's head count after it left. */
export interface Departure {
  readonly room: string;
  /** Undefined when the count could not be updated (the next correction sets it right). */
  readonly headCount: HeadCount | undefined;
  /** The chat's open connections afterwards; undefined when they could not be counted. */
  readonly openConnections: number | undefined;
}

/**
 * Deletes a connection's item and, if this delete removed it, counts it out of its room.
 * @param deps - the stores and the clock
 * @param connectionId - the connection
 * @returns its room and the new head count; undefined when there was no item (already forgotten)
 * @throws when the delete itself failed
 */
export async function forgetConnection(
  deps: MembershipDeps,
  connectionId: string,
): Promise<Departure | undefined> {
  const room = await deps.store.remove(connectionId);
  if (room === undefined) return undefined;
  const [headCount, openConnections] = await Promise.all([
    deps.rooms.countOut(room, deps.now()).catch(() => undefined),
    deps.openConnections.change(-1).catch(() => undefined),
  ]);
  return { room, headCount, openConnections };
}
