/**
 * The Lambda handler, built from injected dependencies: a dispatch table from route key to route
 * function, one log line per invocation, and no error ever escaping to API Gateway as a crash.
 */
import { handleChatMessage } from './routes/chat-message.ts';
import { handleConnect } from './routes/connect.ts';
import { handleDisconnect } from './routes/disconnect.ts';
import type {
  HandlerDeps,
  RouteHandler,
  RouteOutcome,
  RouteResponse,
  WebSocketEvent,
} from './types.ts';

/** Route key → route function; the keys are the routes Terraform creates (contract.json). */
const routes: Readonly<Record<string, RouteHandler>> = {
  $connect: handleConnect,
  $disconnect: handleDisconnect,
  $default: handleChatMessage,
};

/** The Lambda entry point's signature. */
export type WebSocketHandler = (event: WebSocketEvent) => Promise<RouteResponse>;

/**
 * Builds the handler.
 * @param deps - configuration, store, management clients, clock and logger
 * @returns the function Lambda invokes for every WebSocket route
 */
export function createHandler(deps: HandlerDeps): WebSocketHandler {
  return async (event) => {
    const startedAt = performance.now();
    const { routeKey, connectionId, requestId } = event.requestContext;
    const route = Object.hasOwn(routes, routeKey) ? routes[routeKey] : undefined;
    const outcome = await runRoute(route, event, deps);
    deps.log({
      level: outcome.level ?? 'info',
      route: routeKey,
      connectionId,
      requestId,
      outcome: outcome.outcome,
      durationMs: Math.round(performance.now() - startedAt),
      ...outcome.details,
    });
    return outcome.response;
  };
}

async function runRoute(
  route: RouteHandler | undefined,
  event: WebSocketEvent,
  deps: HandlerDeps,
): Promise<RouteOutcome> {
  if (route === undefined) {
    return { response: { statusCode: 400 }, level: 'error', outcome: 'unknown_route' };
  }
  try {
    return await route(event, deps);
  } catch (error) {
    // API Gateway would show the client a generic error anyway; the log gets the name only,
    // since SDK error messages can quote request data.
    return {
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'error',
      details: { error: error instanceof Error ? error.name : 'UnknownError' },
    };
  }
}

/**
 * The production logger: one JSON line per invocation on stdout/stderr, which Lambda's JSON
 * log format and CloudWatch Logs Insights both parse.
 * @param line - the invocation's log fields
 */
export function logToConsole(line: Readonly<Record<string, unknown>> & { level: string }): void {
  const text = JSON.stringify(line);
  if (line.level === 'error') console.error(text);
  else if (line.level === 'warn') console.warn(text);
  else console.info(text);
}
