/**
 * `$disconnect`: forgets the connection. API Gateway delivers this best-effort, which is why
 * items also carry a TTL and broadcasts delete ids that answer 410.
 */
import type { RouteHandler } from '../types.ts';

/** Deletes the connection's item; a missing item is fine. */
export const handleDisconnect: RouteHandler = async (event, deps) => {
  await deps.store.remove(event.requestContext.connectionId);
  return { response: { statusCode: 200 }, outcome: 'disconnected' };
};
