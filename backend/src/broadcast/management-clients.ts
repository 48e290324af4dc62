/**
 * Management API clients, one per endpoint for the life of the container: building a client
 * costs time and sockets, and the endpoint only varies when it is derived from each event.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { InvocationDeadline } from '../invocation-deadline.ts';
import { createDeadlineCappedHandler } from '../sdk-request-handler.ts';

/**
 * Builds a management API client the way the Lambda does: its socket pool sized to the send
 * concurrency, because the SDK's default agent stops at 50 sockets and a larger
 * SEND_CONCURRENCY would silently queue behind it; and, given the invocation's deadline, with
 * connection and request timeouts that never outlive the invocation (sdk-request-handler.ts).
 * @param endpoint - `https://{domain}/{stage}` or APIGW_ENDPOINT
 * @param maxSockets - sockets per host; the broadcast's concurrency
 * @param deadline - the running invocation's deadline; without it, the SDK's default handler
 * @returns the client
 */
export function createManagementClient(
  endpoint: string,
  maxSockets: number,
  deadline?: InvocationDeadline,
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    requestHandler:
      deadline === undefined
        ? { httpsAgent: { maxSockets }, httpAgent: { maxSockets } }
        : createDeadlineCappedHandler({ deadline, maxSockets }),
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
