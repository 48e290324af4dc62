/**
 * `$connect`: refuses handshakes from origins off the allow-list and for malformed room names or
 * protocol versions, records the rest with their room and version, and counts them in. Nothing
 * can be posted to the new connection here: it is not open until this returns 2xx (the page asks
 * for history once it is).
 */
import { isOriginAllowed } from '../access/origin.ts';
import { protocolVersionFromQuery } from '../protocol/version.ts';
import { joinRoom } from '../rooms/membership.ts';
import { roomFromQuery } from '../rooms/room.ts';
import type { RouteHandler } from './route.ts';

/** Stores the connection, or answers 403 (foreign Origin) or 400 (bad room or version). */
export const handleConnect: RouteHandler = async (event, deps) => {
  if (!isOriginAllowed(event.headers, deps.config.allowedOrigins)) {
    return { response: { statusCode: 403 }, level: 'warn', outcome: 'origin_rejected' };
  }
  const choice = roomFromQuery(event.queryStringParameters);
  if (!choice.ok) {
    return { response: { statusCode: 400 }, level: 'warn', outcome: 'room_invalid' };
  }
  const version = protocolVersionFromQuery(event.queryStringParameters);
  if (!version.ok) {
    return { response: { statusCode: 400 }, level: 'warn', outcome: 'version_invalid' };
  }
  const joined = await joinRoom(
    deps,
    event.requestContext.connectionId,
    choice.room,
    version.version,
  );
  if (joined.openConnections !== undefined) deps.metrics.openConnections(joined.openConnections);
  const { members } = joined.headCount;
  return {
    response: { statusCode: 200 },
    outcome: 'connected',
    details: {
      room: choice.room,
      members,
      ...(version.version !== undefined && { protocolVersion: version.version }),
    },
  };
};
