/**
 * `$disconnect`: forgets the connection and counts it out of its room; a small room hears its new
 * head count. API Gateway delivers this best-effort, which is why items also carry a TTL,
 * broadcasts delete ids that answer 410, and every broadcast that reads a whole room sets its
 * exact count.
 */
import { fanoutDepsFor } from '../deps.ts';
import { announcePresence } from '../rooms/presence.ts';
import { managementEndpointFor, type RouteHandler } from './route.ts';

/** Deletes the connection's item (a missing item is fine) and updates its room's count. */
export const handleDisconnect: RouteHandler = async (event, deps, invocation) => {
  const room = await deps.store.remove(event.requestContext.connectionId);
  if (room === undefined) return { response: { statusCode: 200 }, outcome: 'disconnected' };
  const members = await deps.rooms.changeMembers(room, -1, deps.now());
  const endpoint = managementEndpointFor(event, deps.config.apigwEndpoint);
  const told = await announcePresence(
    room,
    members,
    undefined,
    endpoint,
    fanoutDepsFor(deps, endpoint, invocation),
  ).catch(() => 0);
  return {
    response: { statusCode: 200 },
    outcome: 'disconnected',
    details: { room, members, presenceTold: told },
  };
};
