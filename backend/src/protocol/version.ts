/**
 * The protocol version a connection speaks, from the `v` query parameter of its WebSocket URL
 * (`wss://…/prod?room=support&v=3`). A connection without one is an old client (the reference
 * design's page, or this chat's page before version 3): it still chats, and is sent only the
 * frames it understands.
 */

/** The first version whose clients understand presence, acks and delivery reports. */
const FIRST_VERSION_WITH_CONTROL_FRAMES = 3;
/** Far above any version there will be; guards the stored number against nonsense. */
const MAX_VERSION = 1000;

/** The version a handshake declares, or why it cannot be stored. */
export type VersionChoice =
  | { readonly ok: true; readonly version: number | undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the version from a `$connect` event's query string parameters.
 * @param query - `queryStringParameters`, absent when the URL has no query
 * @returns the version (undefined for an old client that names none), or why it is refused
 */
export function protocolVersionFromQuery(
  query: Readonly<Record<string, string | undefined>> | undefined,
): VersionChoice {
  const raw = query?.v;
  if (raw === undefined) return { ok: true, version: undefined };
  const version = /^[1-9][0-9]{0,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(version <= MAX_VERSION)) {
    return { ok: false, reason: `v must be a whole number from 1 to ${MAX_VERSION}` };
  }
  return { ok: true, version };
}

/**
 * Whether a connection understands the frames an old client would show as garbage: presence,
 * acks and delivery reports.
 * @param version - the version stored at `$connect`; undefined for an old client
 * @returns true from version 3 on
 */
export function understandsControlFrames(version: number | undefined): boolean {
  return version !== undefined && version >= FIRST_VERSION_WITH_CONTROL_FRAMES;
}
