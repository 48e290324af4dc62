/**
 * Management API clients, one per endpoint for the life of the container: building a client
 * costs time and sockets, and the endpoint only varies when it is derived from each event.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { WebSocketEvent } from '../types.ts';

/**
 * Builds a management API client the way the Lambda does: its socket pool sized to the send
 * concurrency, because the SDK's default agent stops at 50 sockets and a larger
 * SEND_CONCURRENCY would silently queue behind it.
 * @param endpoint - `https://{domain}/{stage}` or APIGW_ENDPOINT
 * @param maxSockets - sockets per host; the broadcast's concurrency
 * @returns the client
 */
export function createManagementClient(
  endpoint: string,
  maxSockets: number,
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    requestHandler: { httpsAgent: { maxSockets }, httpAgent: { maxSockets } },
  });
}

/**
 * Creates a cached per-endpoint lookup (clients and posters keep their sockets).
 * @param create - builds the value for an endpoint
 * @returns a function that returns the same value for the same endpoint
 */
export function createPerEndpointCache<T>(
  create: (endpoint: string) => T,
): (endpoint: string) => T {
  const values = new Map<string, T>();
  return (endpoint) => {
    let value = values.get(endpoint);
    if (value === undefined) {
      value = create(endpoint);
      values.set(endpoint, value);
    }
    return value;
  };
}

/**
 * The management endpoint for an event: the configured one, else the API's own domain and stage.
 * The stage must be in the path, or the management API answers 403.
 * @param event - the invocation's event
 * @param configured - APIGW_ENDPOINT, if set (e.g. a custom domain's base path, or the local stack)
 * @returns the endpoint URL without a trailing slash
 */
export function managementEndpointFor(
  event: WebSocketEvent,
  configured: string | undefined,
): string {
  if (configured !== undefined) return configured;
  const { domainName, stage } = event.requestContext;
  return `https://${domainName}/${stage}`;
}
