/**
 * `$disconnect`: forgets the connection and, if its item was still there, counts it out of its
 * room (a broadcast that found it gone first has counted it out already); a small room hears its
 * new head count. API Gateway delivers this best-effort, which is why items also carry a TTL,
 * broadcasts forget ids that answer 410, and every broadcast that reads a whole room corrects its
 * count.
 */
import { presenceDepsFor } from '../deps.ts';
import { forgetConnection } from '../rooms/membership.ts';
import { announcePresence } from '../rooms/presence.ts';
import { managementEndpointFor, type RouteHandler } from './route.ts';

/** Deletes the connection's item (a missing item is fine) and updates its room's count. */
export const handleDisconnect: RouteHandler = async (event, deps, invocation) => {
  const connectionId = event.requestContext.connectionId;
  const departure = await forgetConnection(deps, connectionId);
  if (departure === undefined) return { response: { statusCode: 200 }, outcome: 'disconnected' };
  const { room, headCount, openConnections } = departure;
  if (openConnections !== undefined) deps.metrics.openConnections(openConnections);
  if (headCount === undefined) {
    // Forgotten but not counted out: the room's next listing corrects the count.
    return {
      response: { statusCode: 200 },
      level: 'warn',
      outcome: 'disconnected',
      details: { room, countOutFailed: true },
    };
  }
  const endpoint = managementEndpointFor(event, deps.config.apigwEndpoint);
  const presence = await announcePresence(
    room,
    headCount,
    { left: connectionId },
    presenceDepsFor(deps, endpoint, invocation),
  ).catch(() => undefined);
  return {
    response: { statusCode: 200 },
    outcome: 'disconnected',
    details: {
      room,
      members: presence?.count ?? headCount.members,
      presenceTold: presence?.told ?? 0,
      ...(presence?.corrected === true && { corrected: true }),
    },
  };
};
