/**
 * The room a handshake asks for, from the `room` query parameter of its WebSocket URL
 * (`wss://…/prod?room=support`), by the rule the page applies too (contract/room-name.ts).
 */
import { DEFAULT_ROOM, isRoomName, ROOM_NAME_RULE } from '../../../contract/room-name.ts';

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
  if (!isRoomName(room)) return { ok: false, reason: ROOM_NAME_RULE };
  return { ok: true, room };
}
