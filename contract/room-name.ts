/**
 * Room names: the one rule the server applies to a handshake's `room` and the page applies before
 * it connects. Pure and free of Node.js APIs: the page's bundle includes this file.
 */
import contract from './contract.json' with { type: 'json' };

/** The room of a connection whose URL names none: the one-room chat of old clients. */
export const DEFAULT_ROOM: string = contract.limits.defaultRoom;

const ROOM_PATTERN = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${contract.limits.maxRoomNameLength - 1}}$`);

/** What a room name may be, in words, for an error message. */
export const ROOM_NAME_RULE = `a room name is 1 to ${contract.limits.maxRoomNameLength} letters, digits, - or _, starting with a letter or digit`;

/**
 * Whether a lower-case name is a room name the server accepts.
 * @param room - the name, lower-case
 * @returns true when it is 1 to maxRoomNameLength of a–z, 0–9, `_`, `-`, not `_`/`-` first
 */
export function isRoomName(room: string): boolean {
  return ROOM_PATTERN.test(room);
}
