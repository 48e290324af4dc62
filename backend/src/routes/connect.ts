/**
 * `$connect`: refuses handshakes from origins off the allow-list and for malformed room names,
 * records the rest with their room, and counts them in. Nothing can be posted to the new
 * connection here: it is not open until this returns 2xx (the page asks for history once it is).
 */
import { isOriginAllowed } from '../access/origin.ts';
import { roomFromQuery } from '../rooms/room.ts';
import type { RouteHandler } from './route.ts';

/** Stores the connection, or answers 403 (foreign Origin) or 400 (bad room) and stores nothing. */
export const handleConnect: RouteHandler = async (event, deps) => {
  if (!isOriginAllowed(event.headers, deps.config.allowedOrigins)) {
    return { response: { statusCode: 403 }, level: 'warn', outcome: 'origin_rejected' };
  }
  const choice = roomFromQuery(event.queryStringParameters);
  if (!choice.ok) {
    return { response: { statusCode: 400 }, level: 'warn', outcome: 'room_invalid' };
  }
  const now = deps.now();
  const [, members] = await Promise.all([
    deps.store.add(event.requestContext.connectionId, now, choice.room),
    deps.rooms.changeMembers(choice.room, 1, now),
  ]);
  return {
    response: { statusCode: 200 },
    outcome: 'connected',
    details: { room: choice.room, members },
  };
};
