/**
 * The fan-out adapter: posts one payload to many connections through the API Gateway Management
 * API with bounded concurrency. One recipient's failure never stops the others; a recipient that
 * is gone (410) has its own stale item deleted.
 */

import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { forEachWithConcurrency } from './pool.ts';

/** How one failed PostToConnection is treated. */
export type SendFailureKind = 'gone' | 'forbidden' | 'failed';

/** Counts of one broadcast. */
export interface BroadcastResult {
  /** Posts the management API accepted. */
  delivered: number;
  /** Recipients that no longer exist (410); their items were deleted. */
  gone: number;
  /** Recipients whose post failed for any other reason (including `forbidden`). */
  failed: number;
  /** Failures that were 403: the endpoint or the IAM policy is wrong, not the recipient. */
  forbidden: number;
  /** Gone recipients whose item could not be deleted (TTL still removes it later). */
  staleDeleteFailed: number;
  /** Failures by SDK error name, e.g. `{ "ForbiddenException": 3 }`, for the log line. */
  errorNames: Record<string, number>;
}

/** Options of {@link broadcastToConnections}. */
export interface BroadcastOptions {
  /** Management API client whose endpoint includes the stage. */
  readonly client: ApiGatewayManagementApiClient;
  /** Most posts in flight at once. */
  readonly concurrency: number;
  /** Deletes a gone recipient's item; called with that recipient's id, never the sender's. */
  readonly onGone?: (connectionId: string) => Promise<void>;
}

/**
 * Posts `payload` to every connection id, at most `options.concurrency` at a time. Ids are
 * pulled lazily, so an async source (Scan pages) is consumed while earlier sends are in flight.
 * @param connectionIds - the recipients
 * @param payload - the serialised event, encoded once and shared by every post
 * @param options - client, concurrency and the gone-recipient clean-up
 * @returns the delivery counts; never rejects because of a recipient
 * @throws only when the id source itself fails (e.g. a Scan error)
 */
export async function broadcastToConnections(
  connectionIds: Iterable<string> | AsyncIterable<string>,
  payload: string | Uint8Array,
  options: BroadcastOptions,
): Promise<BroadcastResult> {
  const { client, concurrency, onGone } = options;
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const result: BroadcastResult = {
    delivered: 0,
    gone: 0,
    failed: 0,
    forbidden: 0,
    staleDeleteFailed: 0,
    errorNames: {},
  };

  await forEachWithConcurrency(connectionIds, concurrency, async (connectionId) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      result.delivered++;
      return;
    } catch (error) {
      const kind = classifySendFailure(error);
      if (kind === 'gone') {
        result.gone++;
      } else {
        result.failed++;
        if (kind === 'forbidden') result.forbidden++;
        const name = errorName(error);
        result.errorNames[name] = (result.errorNames[name] ?? 0) + 1;
      }
      if (kind !== 'gone' || onGone === undefined) return;
    }
    try {
      await onGone(connectionId);
    } catch {
      result.staleDeleteFailed++;
    }
  });
  return result;
}

/**
 * Classifies a PostToConnection failure. SDK v3 errors carry `name` and
 * `$metadata.httpStatusCode`; the v2 habit `err.statusCode` is never set.
 * @param error - what the SDK threw
 * @returns `gone` for 410, `forbidden` for 403 (a configuration error: wrong endpoint or IAM),
 *   `failed` for anything else
 */
export function classifySendFailure(error: unknown): SendFailureKind {
  const name = errorName(error);
  const status = httpStatusCode(error);
  if (name === 'GoneException' || status === 410) return 'gone';
  if (name === 'ForbiddenException' || status === 403) return 'forbidden';
  return 'failed';
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}

function httpStatusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
