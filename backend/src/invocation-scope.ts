/**
 * What spans one whole invocation, around the handler: the invocation's deadline, set for the
 * SDK clients before anything runs and cleared after, and what must happen once per invocation
 * when it ends (publishing its metrics).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ChatHandler } from './create-handler.ts';
import type { InvocationClock } from './invocation-deadline.ts';
import type { RouteResponse, WebSocketEvent } from './routes/route.ts';

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>;
/** The handler's overloads as one signature. */
type AnyEventHandler = (
  event: WebSocketEvent | SQSEvent,
  context?: LambdaContext,
) => Promise<RouteResponse | SQSBatchResponse>;

/** What an invocation scope does around the handler. */
export interface InvocationScope {
  readonly clock: InvocationClock;
  /** Runs once when the invocation ends, however it ends. */
  readonly onEnd?: () => void;
}

/**
 * Wraps the handler in the invocation's scope.
 * @param handler - the handler from createHandler
 * @param scope - the container's clock and what to do at the end of each invocation
 * @returns a handler with the same signature
 */
export function withInvocationScope(handler: ChatHandler, scope: InvocationScope): ChatHandler {
  const run = handler as AnyEventHandler;
  const scoped: AnyEventHandler = async (event, context) => {
    scope.clock.begin(context === undefined ? undefined : () => context.getRemainingTimeInMillis());
    try {
      return await run(event, context);
    } finally {
      scope.onEnd?.();
      scope.clock.end();
    }
  };
  return scoped as ChatHandler;
}
