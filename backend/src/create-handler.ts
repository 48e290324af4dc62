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

/** A log line as the console logger takes it: JSON-serialisable fields, one of them the level. */
export type ConsoleLogLine = Readonly<Record<string, unknown>> & { readonly level: string };

/**
 * Builds the production logger: one line per call, through the console method of the line's
 * level (`console.info`, `console.warn` or `console.error`).
 *
 * Under Lambda's JSON log format the Node.js runtime replaces those console methods, and writes a
 * call with a single argument as `{"timestamp", "level", "requestId", "message": <argument>}`,
 * serialised with JSON.stringify (`formatJsonMessage` in
 * https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/LogPatch.js).
 * An object argument therefore stays an object under `message`, whose fields CloudWatch Logs
 * Insights discovers as `message.outcome`, `message.durationMs`…; a JSON string would stay one
 * opaque string there. Without that format (the text format, the local stack, tests), an object
 * would be printed by util.inspect over many lines, so the line is written as JSON text instead:
 * one line each.
 * @param logFormat - the runtime's log format, from `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`),
 *   read as the runtime reads it: case-insensitively, anything but `JSON` meaning text
 * @returns the logger
 */
export function createConsoleLogger(logFormat: string | undefined): (line: ConsoleLogLine) => void {
  const runtimeWritesJson = logFormat?.toUpperCase() === 'JSON';
  return (line) => {
    const argument = runtimeWritesJson ? line : JSON.stringify(line);
    if (line.level === 'error') console.error(argument);
    else if (line.level === 'warn') console.warn(argument);
    else console.info(argument);
  };
}

/**
 * The logger the Lambda entry point uses, for the log format Lambda runs this container with
 * (Terraform sets JSON).
 */
export const logToConsole: (line: ConsoleLogLine) => void = createConsoleLogger(
  process.env.AWS_LAMBDA_LOG_FORMAT,
);
