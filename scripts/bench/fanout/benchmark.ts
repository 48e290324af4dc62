/**
 * The fan-out benchmark: the backend's own broadcaster (`broadcastToConnections`) posting to
 * 10,000 connection ids through a real ApiGatewayManagementApiClient, over HTTP, to a local
 * management endpoint that answers each post after a set delay. Compared with the ideal time
 * (calls × delay ÷ concurrency) for several concurrency settings, so the default is chosen by
 * measurement. The endpoint runs in a child process, as the real one runs elsewhere; the client
 * is the Lambda's own (`createManagementClient`), so its socket pool is what is measured. The ids are generated and fed to the broadcaster directly: the Scan is not part
 * of what this measures.
 */
import { broadcastToConnections } from '../../../backend/src/broadcaster.ts';
import { DEFAULT_SEND_CONCURRENCY } from '../../../backend/src/config.ts';
import { createManagementClient } from '../../../backend/src/management-clients.ts';
import { sdkPoster } from '../../../backend/src/poster.ts';
import type { BenchOptions } from '../options.ts';
import type { Progress } from '../shared/progress.ts';
import { startSlowEndpoint } from './slow-endpoint.ts';

/** One concurrency setting's figures. */
export interface FanoutRun {
  readonly concurrency: number;
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
  const endpoint = await startSlowEndpoint(options.fanoutDelayMs);
  const runs: FanoutRun[] = [];
  try {
    await withFakeAwsEnvironment(async () => {
      for (const concurrency of settings) {
        if (signal.aborted) break;
        const idealMs = (ids.length * options.fanoutDelayMs) / concurrency;
        progress.log(
          `Fan-out: ${ids.length} posts at concurrency ${concurrency} (ideal ${(idealMs / 1000).toFixed(1)} s)`,
        );
        // A fresh client per setting, as a fresh Lambda container has: no warm sockets.
        const client = createManagementClient(endpoint.endpoint, concurrency);
        await endpoint.resetCounters();
        const started = performance.now();
        const result = await broadcastToConnections(ids, PAYLOAD, {
          post: sdkPoster(client),
          concurrency,
        });
        const wallMs = performance.now() - started;
        client.destroy();
        const counters = await endpoint.readCounters();
        runs.push({
          concurrency,
          calls: counters.calls,
          delivered: result.delivered,
          failed: result.failed + result.gone,
          wallMs,
          idealMs,
          ratioToIdeal: wallMs / idealMs,
          peakInFlight: counters.peakInFlight,
        });
      }
    });
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
 * Runs `work` with a fake region and fake credentials in the environment, as the Lambda runtime
 * provides real ones: the client must sign its calls, and nothing of the user's own AWS
 * configuration may be read or sent anywhere (the endpoint is 127.0.0.1 and checks nothing).
 * The SDK reads both lazily, at the first call, so they stay set until `work` has finished.
 */
async function withFakeAwsEnvironment<T>(work: () => Promise<T>): Promise<T> {
  const names = [
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
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
