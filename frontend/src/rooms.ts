/**
 * Rooms as the page sees them: which room the page's URL names, whether a name is one the server
 * accepts, and the URLs that carry a room (the WebSocket URL and the link to share).
 */
import contract from '../../contract/contract.json' with { type: 'json' };
import { isRoomName } from '../../contract/room-name.ts';
import { pageProtocolVersion } from './protocol.ts';
import { codePointLabel } from './text-rules.ts';

/** The room of a page URL that names none: everyone who opens the plain website URL meets here. */
export const defaultRoom: string = contract.limits.defaultRoom;

const maxRoomLength = contract.limits.maxRoomNameLength;

/** A room name the server will accept (lower-cased), or why it would refuse it. */
export type RoomCheck =
  | { readonly ok: true; readonly room: string }
  | { readonly ok: false; readonly message: string };

/**
 * Checks a room name with the server's own rule (`isRoomName`), saying what is wrong in words, and
 * returns it as the server stores it, lower-case.
 * Surrounding spaces are forgiven (they are easy to type and never meant).
 */
export function checkRoomName(raw: string): RoomCheck {
  const room = raw.trim().toLowerCase();
  const rule = `Room names are 1 to ${maxRoomLength} letters (a–z), digits, "-" or "_", starting with a letter or a digit.`;
  if (room === '') return { ok: false, message: `Type a room name. ${rule}` };
  if ([...room].length > maxRoomLength) {
    return {
      ok: false,
      message: `"${raw.trim()}" is ${[...room].length} characters long. ${rule}`,
    };
  }
  if (!isRoomName(room)) {
    const bad = [...room].find((char) => !/[a-z0-9_-]/.test(char));
    const why =
      bad === undefined
        ? `"${raw.trim()}" starts with "${room[0]}".`
        : `"${raw.trim()}" contains ${describeCharacter(bad)}.`;
    return { ok: false, message: `${why} ${rule}` };
  }
  return { ok: true, room };
}

function describeCharacter(char: string): string {
  if (char === ' ') return 'a space';
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)) return `"${char}"`;
  return codePointLabel(char.codePointAt(0) ?? 0);
}

/**
 * The room name a page URL asks for, unchecked: the fragment (`#support`) when there is one,
 * else the `room` query parameter (`?room=support`), else the default room.
 */
export function roomNameFromUrl(href: string): string {
  const url = new URL(href);
  const fragment = safeDecode(url.hash.slice(1));
  if (fragment !== '') return fragment;
  const query = url.searchParams.get('room');
  return query === null || query === '' ? defaultRoom : query;
}

/** `decodeURIComponent`, keeping the text as it was when it is not valid percent-encoding. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The WebSocket URL for a room: the configured URL with `room=<name>` and the page's protocol
 * version (`v=3`) added to its query. A server of an older protocol ignores `v`.
 */
export function websocketUrlForRoom(websocketUrl: string, room: string): string {
  const url = new URL(websocketUrl);
  url.searchParams.set('room', room);
  url.searchParams.set('v', String(pageProtocolVersion));
  return url.toString();
}

/**
 * The page URL that opens `room`, for the address bar and to share: the fragment names the room
 * (the default room has none, so the plain website URL stays the lobby), and a `room` query
 * parameter is removed so the two cannot disagree. The rest of the URL is kept.
 */
export function pageUrlForRoom(href: string, room: string): string {
  const url = new URL(href);
  url.searchParams.delete('room');
  url.hash = room === defaultRoom ? '' : room;
  return url.toString();
}
