/**
 * A connection's membership of its room, kept in both tables: the connection's item (the
 * connections table) and its room's head count (the rooms table). A connection is counted in
 * once its item exists, and counted out exactly once, by whoever's delete actually removed its
 * item: `$disconnect`, or a broadcast that found it gone (410). A delete that found no item
 * counts no one out, so a `$disconnect` after a 410 clean-up (or the other way round) can never
 * count a connection out twice.
 */
import type { People } from '../access/people.ts';
import type { ConnectionOwner, ConnectionStore } from './connection-store.ts';
import type { OpenConnections } from './open-connections.ts';
import type { HeadCount, RoomStore } from './room-store.ts';

/** What membership changes need. */
export interface MembershipDeps {
  readonly store: Pick<ConnectionStore, 'add' | 'forget'>;
  readonly rooms: Pick<RoomStore, 'countIn' | 'countOut'>;
  readonly openConnections: OpenConnections;
  /** The people's places, given up when a connection that took one is forgotten. */
  readonly people?: Pick<People, 'releasePlaces'>;
  readonly now: () => Date;
}

/**
 * A person's place for the connection, claimed once its item is stored: admitted, with what gives
 * the place back; or refused, with why.
 */
export type Admission =
  | { readonly admitted: true; readonly release: () => Promise<void> }
  | { readonly admitted: false; readonly outcome: string };

/** What else a join stores and checks. */
export interface JoinOptions {
  /** The person the connection belongs to and, signed in, its verified sender. */
  readonly owner?: ConnectionOwner;
  /** Claims the person's place; a refusal removes the item again and counts nobody in. */
  readonly admit?: () => Promise<Admission>;
}

/** What a join came to. */
export type Join =
  | ({ readonly joined: true } & CountedChange)
  | {
      readonly joined: false;
      readonly outcome: string;
      readonly headCount?: undefined;
      readonly openConnections?: undefined;
    };

/** A room's head count after a join or leave, and the chat's open connections if counted. */
export interface CountedChange {
  readonly headCount: HeadCount;
  /** Undefined when the chat-wide count could not be moved (it is only a metric). */
  readonly openConnections: number | undefined;
}

/**
 * Stores a new connection, claims its person's place, then counts it in. In that order: a
 * fan-out that reads the count's version and then lists the room can only miss a counted
 * connection through the index's lag, never because its item was still to come; and a person's
 * places only ever name connections whose items were stored, so a place whose item is gone is
 * known to be free.
 * @param deps - the stores and the clock
 * @param connectionId - the new connection
 * @param room - its room
 * @param protocolVersion - the version its URL declared; undefined for an old client
 * @param options - its owner, and the claim of its person's place
 * @returns the room's head count afterwards and the chat's open connections; or the refusal
 * @throws when the item, the place or the room's count could not be written; the item (and the
 *   place) are then given up again (best effort), so no uncounted item is left for a later 410 to
 *   count out
 */
export async function joinRoom(
  deps: MembershipDeps,
  connectionId: string,
  room: string,
  protocolVersion: number | undefined,
  options: JoinOptions = {},
): Promise<Join> {
  const now = deps.now();
  await deps.store.add(connectionId, now, room, protocolVersion, options.owner);
  let admission: Admission | undefined;
  try {
    admission = await options.admit?.();
    if (admission?.admitted === false) {
      await deps.store.forget(connectionId).catch(() => undefined);
      return { joined: false, outcome: admission.outcome };
    }
    const [headCount, openConnections] = await Promise.all([
      deps.rooms.countIn(room, now),
      deps.openConnections.change(1).catch(() => undefined),
    ]);
    return { joined: true, headCount, openConnections };
  } catch (error) {
    await deps.store.forget(connectionId).catch(() => undefined);
    if (admission?.admitted === true) await admission.release().catch(() => undefined);
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
 * Deletes a connection's item and, if this delete removed it, counts it out of its room and gives
 * its person's place back.
 * @param deps - the stores and the clock
 * @param connectionId - the connection
 * @param connectedBefore - forget it only if it connected before this (a 410 clean-up's guard)
 * @returns its room and the new head count; undefined when there was no item (already forgotten,
 *   or too new for a 410 to mean it is gone)
 * @throws when the delete itself failed
 */
export async function forgetConnection(
  deps: MembershipDeps,
  connectionId: string,
  connectedBefore?: Date,
): Promise<Departure | undefined> {
  const forgotten = await deps.store.forget(connectionId, connectedBefore);
  if (forgotten === undefined) return undefined;
  const { room, person } = forgotten;
  const [headCount, openConnections] = await Promise.all([
    deps.rooms.countOut(room, deps.now()).catch(() => undefined),
    deps.openConnections.change(-1).catch(() => undefined),
    // Its person's place is free again; a place left behind is found free at the next check.
    person === undefined
      ? undefined
      : deps.people?.releasePlaces(person, [connectionId]).catch(() => undefined),
  ]);
  return { room, headCount, openConnections };
}
