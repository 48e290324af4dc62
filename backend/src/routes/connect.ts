/**
 * `$connect`: refuses handshakes from origins off the allow-list and for malformed room names or
 * protocol versions, and those of a person already holding all their places; records the rest
 * with their room, version and owner, and counts them in. Nothing can be posted to the new
 * connection here: it is not open until this returns 2xx (the page asks for history once it is).
 *
 * The owner is the signed-in user in an auth mode (the authorizer's verified sender, on the event),
 * and the source IP without sign-in. A client that offered the chat's subprotocol (the page does
 * in the auth modes, beside its token) gets it back, as a browser requires of the server.
 */
import { GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { admitConnection } from '../access/admission.ts';
import { isOriginAllowed } from '../access/origin.ts';
import type { Person } from '../access/person.ts';
import { sourceIpOf, sourceIpPerson, userPerson } from '../access/person.ts';
import { signsIn } from '../auth/auth-mode.ts';
import { authorizedConnectionOf } from '../auth/authorizer-context.ts';
import { chosenSubprotocol, offeredSubprotocols } from '../auth/subprotocol.ts';
import type { HandlerDeps } from '../deps.ts';
import { errorName } from '../errors.ts';
import { protocolVersionFromQuery } from '../protocol/version.ts';
import type { Admission } from '../rooms/membership.ts';
import { forgetConnection, joinRoom } from '../rooms/membership.ts';
import { roomFromQuery } from '../rooms/room.ts';
import type { RouteHandler, RouteResponse, WebSocketEvent } from './route.ts';
import { managementEndpointFor } from './route.ts';

/**
 * Stores the connection, or answers 403 (foreign Origin), 400 (bad room or version), 429 (all
 * the person's places taken, or the person just disconnected for flooding) or 500 (an auth mode
 * without a verified sender on the event: the authorizer is not attached).
 */
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
  const owner = ownerOf(event, deps);
  if (owner === 'unidentified') {
    return {
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'unidentified',
      details: {
        configurationError:
          'an auth mode, but the event carries no authorizer context: attach the authorizer to $connect',
      },
    };
  }
  const connectionId = event.requestContext.connectionId;
  const sender = owner?.kind === 'user' ? owner.sender : undefined;
  const joined = await joinRoom(deps, connectionId, choice.room, version.version, {
    owner: {
      person: owner?.key,
      ...(sender !== undefined && { senderId: sender.id, senderName: sender.name }),
    },
    admit: owner === undefined ? undefined : () => admit(event, deps, owner, connectionId),
  });
  if (!joined.joined) {
    return {
      response: { statusCode: 429 },
      level: 'warn',
      outcome: joined.outcome,
      details: { room: choice.room, person: owner?.kind },
    };
  }
  if (joined.openConnections !== undefined) deps.metrics.openConnections(joined.openConnections);
  const { members } = joined.headCount;
  return {
    response: accepted(event),
    outcome: 'connected',
    details: {
      room: choice.room,
      members,
      ...(version.version !== undefined && { protocolVersion: version.version }),
      ...(sender !== undefined && { senderId: sender.id }),
    },
  };
};

/**
 * The person a handshake belongs to: the verified user in an auth mode, the source IP without.
 * @returns the person; undefined without sign-in and without a source IP (only a test or a
 *   stand-in omits it); `unidentified` in an auth mode without a verified sender
 */
function ownerOf(event: WebSocketEvent, deps: HandlerDeps): Person | undefined | 'unidentified' {
  if (!signsIn(deps.config.authMode)) return sourceIpPerson(sourceIpOf(event.requestContext));
  const connection = authorizedConnectionOf(event.requestContext);
  return connection === undefined
    ? 'unidentified'
    : userPerson({ id: connection.id, name: connection.name });
}

function admit(
  event: WebSocketEvent,
  deps: HandlerDeps,
  person: Person,
  connectionId: string,
): Promise<Admission> {
  const client = deps.managementClientFor(managementEndpointFor(event, deps.config.apigwEndpoint));
  return admitConnection(
    {
      people: deps.people,
      store: deps.store,
      now: deps.now,
      isClosed: async (id) => {
        try {
          await client.send(new GetConnectionCommand({ ConnectionId: id }));
          return false;
        } catch (error) {
          return errorName(error) === 'GoneException';
        }
      },
      forgetClosed: async (id) => {
        const departure = await forgetConnection(deps, id);
        if (departure?.openConnections !== undefined) {
          deps.metrics.openConnections(departure.openConnections);
        }
      },
    },
    person,
    connectionId,
    {
      maxConnections: deps.config.maxConnectionsPerPerson,
      rateLimit: person.kind === 'user' ? deps.config.rateLimit : deps.config.sourceIpRateLimit,
    },
  );
}

/** 200, choosing the chat's subprotocol if the client offered it. */
function accepted(event: WebSocketEvent): RouteResponse {
  const protocol = chosenSubprotocol(offeredSubprotocols(event.headers, event.multiValueHeaders));
  return protocol === undefined
    ? { statusCode: 200 }
    : { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': protocol } };
}
