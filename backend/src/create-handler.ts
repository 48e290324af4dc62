/**
 * The Lambda handler, built from injected dependencies. One function serves two event sources:
 * API Gateway's WebSocket routes (a dispatch table from route key to route function) and the
 * shard queue's event source mapping (batches of broadcast shards). Every invocation writes one
 * log line, and no error ever escapes to the caller as a crash.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HandlerDeps, Invocation } from './deps.ts';
import { errorName } from './errors.ts';
import { handleConnect } from './routes/connect.ts';
import { handleDefault } from './routes/default.ts';
import { handleDisconnect } from './routes/disconnect.ts';
import type { RouteHandler, RouteOutcome, RouteResponse, WebSocketEvent } from './routes/route.ts';
import { handleShardBatch } from './routes/shard-batch.ts';

/** Route key → route function; the keys are the routes Terraform creates (contract.json). */
const routes: Readonly<Record<string, RouteHandler>> = {
  $connect: handleConnect,
  $disconnect: handleDisconnect,
  $default: handleDefault,
};

/** The Lambda entry point's signature: a WebSocket route or a batch of shards. */
export type ChatHandler = {
  (
    event: WebSocketEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  ): Promise<RouteResponse>;
  (
    event: SQSEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  ): Promise<SQSBatchResponse>;
};

/**
 * Builds the handler.
 * @param deps - configuration, stores, clients, clock and logger
 * @returns the function Lambda invokes for every WebSocket route and every batch of shards
 */
export function createHandler(deps: HandlerDeps): ChatHandler {
  const handler = async (
    event: WebSocketEvent | SQSEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  ): Promise<RouteResponse | SQSBatchResponse> => {
    const startedAt = performance.now();
    const invocation: Invocation = {
      // Without a context (a test, a local script) there is no deadline.
      remainingTimeMs: () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY,
    };
    if (isShardBatch(event)) {
      const batch = await handleShardBatch(event, deps, invocation).catch(
        (error: unknown): Awaited<ReturnType<typeof handleShardBatch>> => ({
          // Every record goes back to the queue: nothing of the batch is known to be done.
          response: {
            batchItemFailures: event.Records.map((record) => ({
              itemIdentifier: record.messageId,
            })),
          },
          outcome: { level: 'error', outcome: 'error', details: { error: errorName(error) } },
        }),
      );
      writeLog(deps, 'sqs', undefined, context?.awsRequestId, batch.outcome, startedAt);
      return batch.response;
    }
    if (typeof event.requestContext?.routeKey !== 'string') {
      const outcome = { level: 'error' as const, outcome: 'unknown_event' };
      writeLog(deps, '(none)', undefined, context?.awsRequestId, outcome, startedAt);
      return { statusCode: 400 };
    }
    const { routeKey, connectionId, requestId } = event.requestContext;
    const route = Object.hasOwn(routes, routeKey) ? routes[routeKey] : undefined;
    const outcome = await runRoute(route, event, deps, invocation);
    writeLog(deps, routeKey, connectionId, requestId, outcome, startedAt);
    return outcome.response;
  };
  return handler as ChatHandler;
}

/** Whether Lambda invoked the function with records from the shard queue. */
function isShardBatch(event: WebSocketEvent | SQSEvent): event is SQSEvent {
  return (
    'Records' in event &&
    Array.isArray(event.Records) &&
    event.Records.every((record) => record?.eventSource === 'aws:sqs')
  );
}

function writeLog(
  deps: HandlerDeps,
  route: string,
  connectionId: string | undefined,
  requestId: string | undefined,
  outcome: Omit<RouteOutcome, 'response'>,
  startedAt: number,
): void {
  deps.log({
    level: outcome.level ?? 'info',
    route,
    connectionId,
    requestId,
    outcome: outcome.outcome,
    durationMs: Math.round(performance.now() - startedAt),
    ...outcome.details,
  });
}

async function runRoute(
  route: RouteHandler | undefined,
  event: WebSocketEvent,
  deps: HandlerDeps,
  invocation: Invocation,
): Promise<RouteOutcome> {
  if (route === undefined) {
    return { response: { statusCode: 400 }, level: 'error', outcome: 'unknown_route' };
  }
  try {
    return await route(event, deps, invocation);
  } catch (error) {
    // API Gateway would show the client a generic error anyway; the log gets the name only,
    // since SDK error messages can quote request data.
    return {
      response: { statusCode: 500 },
      level: 'error',
      outcome: 'error',
      details: { error: errorName(error) },
    };
  }
}
