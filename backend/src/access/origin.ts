/**
 * The `$connect` Origin check (OWASP ASVS 4.4.2): browsers always send `Origin` on a WebSocket
 * handshake and nothing else gates cross-site WebSockets, so the server compares it with an
 * allow-list. It stops cross-site browser abuse; it is not authentication, since any
 * non-browser client can forge the header.
 */
import { normaliseOrigin } from '../../../contract/origins.ts';

/** Header map of a `$connect` event; names keep the case the client sent. */
export type EventHeaders = Readonly<Record<string, string | undefined>>;

/**
 * Looks a header up case-insensitively: API Gateway passes names as the client wrote them.
 * @param headers - the event's headers, possibly absent
 * @param name - header name in any case
 * @returns the first matching value, or undefined
 */
export function findHeader(headers: EventHeaders | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Decides whether a handshake may connect.
 * @param headers - the `$connect` event's headers
 * @param allowedOrigins - normalised allowed origins; undefined disables the check
 * @returns true when there is no allow-list or the Origin header is on it
 */
export function isOriginAllowed(
  headers: EventHeaders | undefined,
  allowedOrigins: ReadonlySet<string> | undefined,
): boolean {
  if (allowedOrigins === undefined) return true;
  const origin = findHeader(headers, 'origin');
  if (origin === undefined) return false;
  const normalised = normaliseOrigin(origin);
  return normalised !== undefined && allowedOrigins.has(normalised);
}
