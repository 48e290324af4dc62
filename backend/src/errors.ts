/**
 * The chat's own errors: a small typed hierarchy, so code decides by `instanceof` and by a typed
 * `kind`, never by matching name strings, and an error that wraps another keeps it as its `cause`
 * (the pattern Powertools for AWS Lambda uses for its own errors).
 */

/** The base of every error the chat throws itself. */
export class ChatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An environment variable is missing or malformed: the cold start fails, loudly. */
export class ConfigError extends ChatError {}

/**
 * What a failed PostToConnection means for a broadcast:
 * - `gone`: the recipient's connection no longer exists (410); its item is deleted;
 * - `forbidden`: the endpoint or the IAM policy is wrong (403), not the recipient;
 * - `throttled`: the account's callback budget, or the recipient's own send buffer, is full (429);
 * - `unavailable`: the service failed (5xx), or no answer came (network, timeout);
 * - `rejected`: the request itself was refused (413 and any other 4xx); retrying cannot help.
 */
export type PostFailureKind = 'gone' | 'forbidden' | 'throttled' | 'unavailable' | 'rejected';

/**
 * A PostToConnection that failed. Its `name` is the error type the service sent
 * (`GoneException`, `LimitExceededException`…), as on the SDK's own errors, and `cause` holds the
 * SDK's or the network's error when there was one.
 */
export class PostToConnectionError extends ChatError {
  readonly kind: PostFailureKind;
  readonly $metadata: { readonly httpStatusCode: number | undefined };

  constructor(type: string, httpStatusCode: number | undefined, options?: ErrorOptions) {
    super(`PostToConnection failed: ${httpStatusCode ?? 'no answer'} ${type}`, options);
    this.name = type;
    this.kind = postFailureKind(type, httpStatusCode);
    this.$metadata = { httpStatusCode };
  }
}

/**
 * The typed form of anything a poster threw. SDK v3 errors carry `name` and
 * `$metadata.httpStatusCode`; the v2 habit `err.statusCode` is never set.
 * @param error - what the SDK, the network or a poster threw
 * @returns the error itself when it is already typed, else a typed error with it as `cause`
 */
export function toPostToConnectionError(error: unknown): PostToConnectionError {
  if (error instanceof PostToConnectionError) return error;
  return new PostToConnectionError(errorName(error), httpStatusCode(error), { cause: error });
}

/**
 * The name an error is counted and logged by: never its message, which may carry data.
 * @param error - anything thrown
 * @returns e.g. `GoneException`; `UnknownError` for what is not an Error
 */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

function postFailureKind(type: string, status: number | undefined): PostFailureKind {
  if (type === 'GoneException' || status === 410) return 'gone';
  if (type === 'ForbiddenException' || status === 403) return 'forbidden';
  if (type === 'LimitExceededException' || status === 429) return 'throttled';
  if (status === undefined || status >= 500) return 'unavailable';
  return 'rejected';
}

function httpStatusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
