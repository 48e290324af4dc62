/**
 * The fan-out benchmark, in deployed terms: the real Lambda bundle on the local stack, its shard
 * workers fed by the local SQS, every container held to the CPU share Lambda gives the configured
 * memory, posting to a management endpoint (in a child process, as the real one is elsewhere)
 * that answers each post after a network round trip. A sender broadcasts to N recipients stored
 * in DynamoDB; the endpoint counts who got what, and when. Before that, the CPU one post costs on
 * each PostToConnection path (the SDK command and the signed request) is measured at full CPU,
 * one path after the other in the same run.
 */
import { broadcastToConnections } from '../../../../backend/src/broadcast/broadcaster.ts';
import { createManagementClient } from '../../../../backend/src/broadcast/management-clients.ts';
import type { PostToConnection } from '../../../../backend/src/broadcast/poster.ts';
import { sdkPoster, signedPoster } from '../../../../backend/src/broadcast/poster.ts';
import { DEFAULT_SEND_CONCURRENCY } from '../../../../backend/src/config.ts';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS } from '../../../local-stack/src/dynamodb.ts';
import type { Progress } from '../common/progress.ts';
import { median } from '../common/report.ts';
import type { BenchOptions } from '../options.ts';
import { type BroadcastRun, fakeConnectionIds, startBroadcastRig } from './broadcast-rig.ts';
import { type SlowEndpoint, startSlowEndpoint } from './slow-endpoint.ts';

/** CPU per post of one PostToConnection path, at this machine's full CPU. */
export interface PosterRun {
  readonly path: 'sdk' | 'signed';
  /** Median over the measured rounds, in milliseconds of CPU per post. */
  readonly cpuPerPostMs: number;
  readonly postsPerRound: number;
}

/** The whole fan-out benchmark. */
export interface FanoutBenchmarkResult {
  readonly roundTripMs: number;
  readonly defaultMemoryMb: number;
  readonly posters: readonly PosterRun[];
  readonly broadcasts: readonly BroadcastRun[];
}

/** A chat message event of a usual size, as the posters post it. */
const SAMPLE_PAYLOAD = JSON.stringify({
  type: 'message',
  id: '01KB0000000000000000000000',
  room: contract.limits.defaultRoom,
  message: 'x'.repeat(120),
  senderName: 'bench',
  senderGravatar: '',
  sentAt: new Date(0).toISOString(),
});

/** How long a broadcast may take before what has not arrived counts as lost. */
const SETTLE_TIMEOUT_MS = 30_000;

/**
 * Runs the benchmark.
 * @param options - the parsed flags
 * @param signal - Ctrl-C stops after the broadcast in progress
 * @param progress - where to report progress
 * @returns the figures, as far as the run got
 */
export async function runFanoutBenchmark(
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<FanoutBenchmarkResult> {
  const endpoint = await startSlowEndpoint(options.fanoutRoundTripMs);
  const broadcasts: BroadcastRun[] = [];
  try {
    progress.log('Fan-out: CPU per post of the SDK command and the signed request, full CPU');
    const posters = await measurePosters(endpoint.endpoint, options.fanoutPosterPosts, signal);
    for (const memoryMb of options.fanoutMemory) {
      if (signal.aborted) break;
      broadcasts.push(...(await measureBroadcasts(memoryMb, options, endpoint, signal, progress)));
    }
    return {
      roundTripMs: options.fanoutRoundTripMs,
      defaultMemoryMb: options.fanoutMemory[0] ?? 0,
      posters,
      broadcasts,
    };
  } finally {
    await endpoint.stop();
  }
}

/** Both paths in turns (sdk, signed, sdk, …), after one unmeasured round each. */
async function measurePosters(
  endpoint: string,
  postsPerRound: number,
  signal: AbortSignal,
): Promise<PosterRun[]> {
  return withFakeAwsEnvironment(async () => {
    const client = createManagementClient(endpoint, DEFAULT_SEND_CONCURRENCY);
    const paths: Record<PosterRun['path'], PostToConnection> = {
      sdk: sdkPoster(client),
      signed: signedPoster({
        client,
        endpoint,
        maxSockets: DEFAULT_SEND_CONCURRENCY,
        timeoutMs: 5000,
      }),
    };
    const samples: Record<PosterRun['path'], number[]> = { sdk: [], signed: [] };
    for (let round = 0; round < 4 && !signal.aborted; round++) {
      for (const path of ['sdk', 'signed'] as const) {
        const ids = fakeConnectionIds(postsPerRound, `${path}${round}`);
        const before = process.cpuUsage();
        await broadcastToConnections(ids, SAMPLE_PAYLOAD, {
          post: paths[path],
          concurrency: DEFAULT_SEND_CONCURRENCY,
        });
        const used = process.cpuUsage(before);
        if (round > 0) samples[path].push((used.user + used.system) / 1000 / ids.length);
      }
    }
    client.destroy();
    return (['sdk', 'signed'] as const).map((path) => ({
      path,
      cpuPerPostMs: median(samples[path]),
      postsPerRound,
    }));
  });
}

/** One stack at `memoryMb`; each recipient count in turn, the room topped up between them. */
async function measureBroadcasts(
  memoryMb: number,
  options: BenchOptions,
  endpoint: SlowEndpoint,
  signal: AbortSignal,
  progress: Progress,
): Promise<BroadcastRun[]> {
  const rig = await startBroadcastRig({
    memoryMb,
    endpoint,
    env: shardSizeEnvironment(options),
  });
  const runs: BroadcastRun[] = [];
  try {
    for (const recipients of [...options.fanoutRecipients].sort((a, b) => a - b)) {
      if (signal.aborted) break;
      progress.log(`Fan-out: ${recipients} recipients at ${rig.stack.cpuLimit.description}`);
      const wait = { recipients, timeoutMs: SETTLE_TIMEOUT_MS };
      runs.push(await rig.measure(wait, options.fanoutRounds, signal));
    }
  } finally {
    await rig.stop();
  }
  return runs;
}

/**
 * The function's SHARD_SIZE when `--fanout-shard-size` sets it; otherwise nothing (the function's
 * default, by memory).
 * @param options - the parsed flags
 * @returns the environment to add
 */
export function shardSizeEnvironment(options: BenchOptions): Record<string, string> {
  return options.fanoutShardSize === undefined
    ? {}
    : { [contract.environment.shardSize]: String(options.fanoutShardSize) };
}

/**
 * Runs `work` with a fake region and fake credentials in the environment, as the Lambda runtime
 * provides real ones: the client must sign its calls, and nothing of the user's own AWS
 * configuration may be read or sent anywhere (the endpoint is 127.0.0.1 and checks nothing).
 */
async function withFakeAwsEnvironment<T>(work: () => Promise<T>): Promise<T> {
  const fake: Record<string, string | undefined> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
  const saved = Object.fromEntries(Object.keys(fake).map((name) => [name, process.env[name]]));
  const setEnvironment = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  setEnvironment(fake);
  try {
    return await work();
  } finally {
    setEnvironment(saved);
  }
}
