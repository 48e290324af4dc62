/**
 * Room names: where a connection belongs, from the `room` query parameter of its WebSocket URL
 * (`wss://…/prod?room=support`). Pure, so the rule is unit-tested and the page can state the same
 * one.
 */
import contract from './contract.json' with { type: 'json' };

/** The room of a connection whose URL names none: today's one-room chat. */
export const DEFAULT_ROOM = contract.limits.defaultRoom;

const ROOM_PATTERN = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${contract.limits.maxRoomNameLength - 1}}$`);

/**
 * Whether a lower-case name is a room name the server accepts (the page checks with this too).
 * @param room - the name, lower-case
 * @returns true when it is 1 to maxRoomNameLength of a–z, 0–9, `_`, `-`, not `_`/`-` first
 */
export function isRoomName(room: string): boolean {
  return ROOM_PATTERN.test(room);
}

/** The room a handshake asks for, or why it cannot have it. */
export type RoomChoice =
  | { readonly ok: true; readonly room: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the room from a `$connect` event's query string parameters.
 * @param query - `queryStringParameters`, absent when the URL has no query
 * @returns the room, lower-case; the default room when none is named
 */
export function roomFromQuery(
  query: Readonly<Record<string, string | undefined>> | undefined,
): RoomChoice {
  const raw = query?.room;
  if (raw === undefined) return { ok: true, room: DEFAULT_ROOM };
  const room = raw.toLowerCase();
  if (!isRoomName(room)) {
    return {
      ok: false,
      reason: `a room name is 1 to ${contract.limits.maxRoomNameLength} letters, digits, - or _, starting with a letter or digit`,
    };
  }
  return { ok: true, room };
}
