/**
 * The fan-out benchmark: the backend's own broadcaster (`broadcastToConnections`) posting to
 * 10,000 connection ids through a real ApiGatewayManagementApiClient, over HTTP, to a local
 * management endpoint that answers each post after a set delay. Compared with the ideal time
 * (calls × delay ÷ concurrency) for several concurrency settings, so the default is chosen by
 * measurement. The endpoint runs in a child process, as the real one runs elsewhere; the client
 * is built like the backend's (`new ApiGatewayManagementApiClient({ endpoint })`, the SDK's
 * default HTTP agent), so a socket cap in those defaults shows up here too. The ids are generated and fed to the broadcaster directly: the Scan is not part
 * of what this measures.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { broadcastToConnections } from '../../backend/src/broadcaster.ts';
import { DEFAULT_SEND_CONCURRENCY } from '../../backend/src/config.ts';
import contract from '../../backend/src/contract.json' with { type: 'json' };
import type { BenchOptions } from './options.ts';
import type { Progress } from './progress.ts';
import { startSlowEndpointProcess } from './slow-endpoint-process.ts';

/** One concurrency setting's figures. */
export interface FanoutRun {
  readonly concurrency: number;
  /** The client's socket cap: undefined for the SDK's default agent (as the backend builds it). */
  readonly maxSockets: number | undefined;
  readonly calls: number;
  readonly delivered: number;
  readonly failed: number;
  readonly wallMs: number;
  /** calls × delay ÷ concurrency: what a broadcaster with zero overhead would take. */
  readonly idealMs: number;
  /** wallMs ÷ idealMs; 1.0 is perfect. */
  readonly ratioToIdeal: number;
  /** Most posts the endpoint saw in flight at once. */
  readonly peakInFlight: number;
}

/** The whole fan-out benchmark. */
export interface FanoutBenchmarkResult {
  readonly connections: number;
  readonly delayMs: number;
  /** The backend's current default SEND_CONCURRENCY. */
  readonly defaultConcurrency: number;
  readonly runs: readonly FanoutRun[];
}

/** The SDK's default HTTP agent allows this many sockets per host (@smithy/node-http-handler). */
export const SDK_DEFAULT_MAX_SOCKETS = 50;

/** The payload every post carries: a typical chat event, encoded once as the handler does. */
const PAYLOAD = JSON.stringify({
  type: 'message',
  message: 'x'.repeat(120),
  senderName: 'bench',
  sentAt: new Date(0).toISOString(),
});

/**
 * Runs the fan-out benchmark for every concurrency setting; the backend's default is always
 * included so its verdict is measured, not assumed.
 * @param options - the parsed flags (connections, delay, settings)
 * @param signal - Ctrl-C stops after the setting in progress
 * @param progress - where to report progress
 * @returns the figures per setting, as far as the run got
 */
export async function runFanoutBenchmark(
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<FanoutBenchmarkResult> {
  const settings = [...new Set([...options.fanoutConcurrencies, DEFAULT_SEND_CONCURRENCY])].sort(
    (a, b) => a - b,
  );
  const ids = generateConnectionIds(options.fanoutConnections);
  const endpoint = await startSlowEndpointProcess(options.fanoutDelayMs, contract.stageName);
  const runs: FanoutRun[] = [];
  try {
    // Every setting with the client as the backend builds it; settings above the SDK's socket cap
    // again with the cap raised, to show what raising it in the backend would buy.
    const plan = [
      ...settings.map((concurrency) => ({ concurrency, maxSockets: undefined })),
      ...settings
        .filter((concurrency) => concurrency > SDK_DEFAULT_MAX_SOCKETS)
        .map((concurrency) => ({ concurrency, maxSockets: concurrency })),
    ];
    for (const { concurrency, maxSockets } of plan) {
      if (signal.aborted) break;
      const idealMs = (ids.length * options.fanoutDelayMs) / concurrency;
      progress.log(
        `Fan-out: ${ids.length} posts at concurrency ${concurrency}${maxSockets === undefined ? '' : `, ${maxSockets} sockets`} (ideal ${(idealMs / 1000).toFixed(1)} s)`,
      );
      const client = createClient(endpoint.endpoint, maxSockets);
      await endpoint.resetCounters();
      const started = performance.now();
      const result = await broadcastToConnections(ids, PAYLOAD, { client, concurrency });
      const wallMs = performance.now() - started;
      client.destroy();
      const counters = await endpoint.readCounters();
      runs.push({
        concurrency,
        maxSockets,
        calls: counters.calls,
        delivered: result.delivered,
        failed: result.failed + result.gone,
        wallMs,
        idealMs,
        ratioToIdeal: wallMs / idealMs,
        peakInFlight: counters.peakInFlight,
      });
    }
  } finally {
    await endpoint.stop();
  }
  return {
    connections: ids.length,
    delayMs: options.fanoutDelayMs,
    defaultConcurrency: DEFAULT_SEND_CONCURRENCY,
    runs,
  };
}

/**
 * Builds a fresh client per run, as a fresh Lambda container has one: no warm sockets.
 * @param endpoint - the management endpoint with its stage
 * @param maxSockets - raise the agent's socket cap; undefined keeps the SDK default
 * @returns the client
 */
function createClient(
  endpoint: string,
  maxSockets: number | undefined,
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    // Signed like any SDK call; the local endpoint never checks the signature.
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    ...(maxSockets === undefined
      ? {}
      : { requestHandler: { httpAgent: { maxSockets }, httpsAgent: { maxSockets } } }),
  });
}

/**
 * Makes connection ids in API Gateway's format: 16 characters of base64url ending in `=`.
 * @param count - how many
 * @returns distinct ids, deterministic so runs compare
 */
export function generateConnectionIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const bytes = Buffer.alloc(11);
    bytes.writeUInt32BE(index, 7);
    return `${bytes.toString('base64url').slice(0, 15)}=`;
  });
}
