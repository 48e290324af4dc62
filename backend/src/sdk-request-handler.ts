/**
 * The HTTP handler every SDK client of the function uses (DynamoDB, SQS, the management API).
 * The SDK's default has no timeouts at all: a connection that hangs holds its call until Lambda
 * stops the invocation, and whatever the invocation still meant to do (hand the rest of a
 * broadcast off, dead-letter it, write its log line) is lost with it. This handler gives every
 * request a connection timeout and a request timeout, and caps the request timeout at what the
 * running invocation has left, minus a margin for that work.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { InvocationDeadline } from './invocation-deadline.ts';

/** A TCP (and TLS) connection not established after this long fails. */
export const SDK_CONNECTION_TIMEOUT_MS = 1000;
/**
 * A request without its whole answer after this long fails (and the SDK retries it, as a
 * transient error). DynamoDB and SQS answer in milliseconds; seconds mean something is wrong.
 */
export const SDK_REQUEST_TIMEOUT_MS = 3000;
/**
 * No request runs into the last this-many milliseconds of an invocation: they are left for the
 * code that handles its failure, and for the log line.
 */
export const SDK_DEADLINE_MARGIN_MS = 300;

/** Options of {@link createDeadlineCappedHandler}. */
export interface DeadlineCappedHandlerOptions {
  readonly deadline: InvocationDeadline;
  /** Sockets per host; the SDK's default of 50 would queue a larger broadcast's replies. */
  readonly maxSockets?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly marginMs?: number;
}

/**
 * The error a request gets when the invocation has no time left for it (the SDK's own timeout
 * errors carry the same name, so callers treat both alike).
 */
export class DeadlineTimeoutError extends Error {
  constructor(remainingMs: number) {
    super(`The invocation has ${Math.max(0, Math.round(remainingMs))} ms left: no new request`);
    this.name = 'TimeoutError';
  }
}

/** A NodeHttpHandler whose request timeout never outlives the invocation. */
class DeadlineCappedHttpHandler extends NodeHttpHandler {
  readonly #deadline: InvocationDeadline;
  readonly #requestTimeoutMs: number;
  readonly #marginMs: number;

  constructor(
    options: Required<Omit<DeadlineCappedHandlerOptions, 'maxSockets'>> & {
      maxSockets: number | undefined;
    },
  ) {
    const agent = options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets };
    super({
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // Without it the handler only logs a warning when the request timeout passes.
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent,
    });
    this.#deadline = options.deadline;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#marginMs = options.marginMs;
  }

  override async handle(
    request: Parameters<NodeHttpHandler['handle']>[0],
    options: NonNullable<Parameters<NodeHttpHandler['handle']>[1]> = {},
  ): ReturnType<NodeHttpHandler['handle']> {
    const left = this.#deadline.remainingTimeMs() - this.#marginMs;
    if (left < 1) throw new DeadlineTimeoutError(left + this.#marginMs);
    const requestTimeout = Math.min(options.requestTimeout ?? this.#requestTimeoutMs, left);
    return super.handle(request, { ...options, requestTimeout: Math.floor(requestTimeout) });
  }
}

/**
 * Builds the request handler for one SDK client.
 * @param options - the invocation's deadline, sockets, and the timeouts (defaults above)
 * @returns the handler, for the client's `requestHandler`
 */
export function createDeadlineCappedHandler(
  options: DeadlineCappedHandlerOptions,
): NodeHttpHandler {
  return new DeadlineCappedHttpHandler({
    deadline: options.deadline,
    maxSockets: options.maxSockets,
    connectionTimeoutMs: options.connectionTimeoutMs ?? SDK_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? SDK_REQUEST_TIMEOUT_MS,
    marginMs: options.marginMs ?? SDK_DEADLINE_MARGIN_MS,
  });
}
