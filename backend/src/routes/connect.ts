/**
 * `$connect`: refuses handshakes from origins off the allow-list, records the rest.
 * Nothing can be posted to the new connection here: it is not open until this returns 2xx.
 */
import { isOriginAllowed } from '../origin.ts';
import type { RouteHandler } from '../types.ts';

/** Stores the connection, or answers 403 (and stores nothing) for a foreign Origin. */
export const handleConnect: RouteHandler = async (event, deps) => {
  if (!isOriginAllowed(event.headers, deps.config.allowedOrigins)) {
    return { response: { statusCode: 403 }, level: 'warn', outcome: 'origin_rejected' };
  }
  await deps.store.add(event.requestContext.connectionId, deps.now());
  return { response: { statusCode: 200 }, outcome: 'connected' };
};
