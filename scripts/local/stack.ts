/**
 * The composition root of the local stack: DynamoDB (dynalite), the Lambda runner, the WebSocket
 * gateway with its `@connections` API on one port (like the execute-api host), and the static site.
 * `npm start` (cli.ts), the integration tests, the browser tests and the benchmarks all start the
 * stack through {@link startLocalStack}.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import contract from '../../backend/src/contract.json' with { type: 'json' };
import { createConnectionsApi } from './connections-api.ts';
import { type CpuLimiterSupport, cpuLimiterFor } from './cpu-share.ts';
import { startLocalDynamoDb, urlHost } from './dynamodb.ts';
import { EventSourceMapping } from './event-source-mapping.ts';
import { LambdaRunner, type LambdaRunnerStats } from './lambda-runner.ts';
import { closeServer, listen } from './listen.ts';
import { compileRouteSelectionExpression } from './route-selection.ts';
import { startLocalSqs } from './sqs.ts';
import { startStaticSite } from './static-site.ts';
import { WebSocketGateway } from './websocket-gateway.ts';

/** Options of {@link startLocalStack}; every one has a default. */
export interface LocalStackOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port of the chat page; 0 = a free port. Default 0 (the CLI defaults to 3000). */
  httpPort?: number;
  /** Port of the WebSocket endpoint and the `@connections` API; 0 = free. Default 0 (CLI: 3001). */
  wsPort?: number;
  /** Port of DynamoDB; 0 = free. Default 0 (CLI: 8000). */
  dynamoPort?: number;
  /** Stage name in the WebSocket URL and the management endpoint. Default `contract.stageName`. */
  stage?: string;
  /** The handler's ES module. Default `backend/dist/index.mjs`, the bundle Lambda runs. */
  handlerPath?: string;
  /** The handler's export name. Default `handler`. */
  handlerExport?: string;
  /** Route keys that have an integration. Default `contract.routes`. */
  routes?: readonly string[];
  /** Extra Lambda environment (e.g. MAX_MESSAGE_LENGTH, ALLOWED_ORIGINS); wins over the defaults. */
  env?: Record<string, string>;
  /** Idle timeout; a connection without data frames either way is closed with 1001. Default 600_000. */
  idleTimeoutMs?: number;
  /** Maximum connection duration, then 1001. Default 7_200_000. */
  maxConnectionMs?: number;
  /** API Gateway's integration timeout. Default 29_000. */
  integrationTimeoutMs?: number;
  /** The Lambda function timeout (a hung container is replaced). Default 10_000, Terraform's default. */
  functionTimeoutMs?: number;
  /**
   * Most Lambda containers at once. Default 10: the concurrency quota a new AWS account may have,
   * so what works here works there.
   */
  maxConcurrency?: number;
  /** Invocations that may wait for a free container before Lambda-style throttling. Default 1000. */
  maxQueued?: number;
  /** The function's memory in MB. Default 256, Terraform's lambda_memory_mb. */
  memoryMb?: number;
  /**
   * Hold each container to the CPU share Lambda gives `memoryMb` (needs Linux cgroups, as root).
   * Default false; `npm start` turns it on.
   */
  limitCpu?: boolean;
  /** Port of the local SQS (loopback only); 0 = a free port. Default 0 (CLI: 9324). */
  sqsPort?: number;
  /**
   * The shard queue's visibility timeout: how long a failed shard waits before SQS offers it
   * again. Default six function timeouts, as Terraform sets it; tests shorten it.
   */
  shardVisibilityTimeoutSeconds?: number;
  /** The shard queue's event source mapping: records per invocation. Default 1. */
  shardBatchSize?: number;
  /** The shard queue's event source mapping: most concurrent invocations. Default 5. */
  shardMaxConcurrency?: number;
  /** Folder for DynamoDB's data; in memory when undefined. */
  persistDir?: string;
  /** The built page to serve. Default `frontend/dist`. */
  siteDir?: string;
  /**
   * Where log lines go: one per invocation, and every line the function itself prints.
   * Default `console.log`; tests pass a no-op or a collector.
   */
  log?: (line: string) => void;
}

/** A running local stack. */
export interface LocalStack {
  /** The chat page, e.g. `http://127.0.0.1:3000/`. */
  pageUrl: string;
  /** The WebSocket URL with the stage, e.g. `ws://127.0.0.1:3001/prod`. */
  websocketUrl: string;
  /** The management endpoint with the stage (the handler's APIGW_ENDPOINT), e.g. `http://127.0.0.1:3001/prod`. */
  managementEndpoint: string;
  /** DynamoDB's endpoint, e.g. `http://127.0.0.1:8000`. */
  dynamoEndpoint: string;
  /** The connections table. */
  tableName: string;
  /** The rooms table (head counts and kept messages). */
  roomsTableName: string;
  /** The region the handler's SDK clients use. */
  region: string;
  /** The local SQS endpoint (loopback), and the shard queue and its dead-letter queue. */
  sqsEndpoint: string;
  shardQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Whether containers run at the memory's CPU share, or why not. */
  cpuLimit: { readonly applied: boolean; readonly description: string };
  /** What the Lambda containers have done so far (invocations, billed time, CPU). */
  lambdaStats(): LambdaRunnerStats;
  /** Closes every connection (1001) and server, and terminates the Lambda containers. */
  stop(): Promise<void>;
}

/** A build artefact the stack needs is missing. */
export class MissingBuildError extends Error {
  override readonly name = 'MissingBuildError';
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_HANDLER = `${REPO_ROOT}backend/dist/index.mjs`;
const DEFAULT_SITE = `${REPO_ROOT}frontend/dist`;
const TEMPLATE_DIR = `${REPO_ROOT}frontend`;
const REGION = 'us-east-1';
const TABLE_NAME = 'awsome-chat-connections';
const ROOMS_TABLE_NAME = 'awsome-chat-rooms';
const FUNCTION_NAME = 'awsome-chat-local';
const SHARD_QUEUE = 'awsome-chat-fanout';
const DEAD_LETTER_QUEUE = 'awsome-chat-fanout-dlq';
/** Services the function reaches but browsers never should: always on loopback. */
const LOOPBACK = '127.0.0.1';

/**
 * Starts the whole chat offline. Each part is stopped again if a later one fails to start.
 *
 * @throws MissingBuildError when the bundle or the page is not built; PortInUseError when a port
 *   is taken; HandlerLoadError when the handler module cannot be loaded.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? contract.stageName;
  const handlerPath = options.handlerPath ?? DEFAULT_HANDLER;
  const siteDir = options.siteDir ?? DEFAULT_SITE;
  const printLine = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void =>
    printLine(`${new Date().toISOString().slice(11, 23)} ${line}`);
  await requireBuilt(
    handlerPath,
    options.handlerPath === undefined ? 'the Lambda bundle' : undefined,
  );
  await requireBuilt(siteDir, options.siteDir === undefined ? 'the chat page' : undefined);
  if (options.persistDir !== undefined) await mkdir(options.persistDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    const dynamo = await startLocalDynamoDb({
      host,
      port: options.dynamoPort ?? 0,
      persistDir: options.persistDir,
      tableName: TABLE_NAME,
      roomsTableName: ROOMS_TABLE_NAME,
      region: REGION,
    });
    stops.push(dynamo.stop);

    const executeApi = createServer();
    // Lambda's SDK clients keep connections alive; do not drop them between broadcasts.
    executeApi.keepAliveTimeout = 65_000;
    const wsPort = await listen(executeApi, host, options.wsPort ?? 0, '--ws-port');
    stops.push(() => closeServer(executeApi));
    const websocketUrl = `ws://${urlHost(host)}:${wsPort}/${stage}`;
    const managementEndpoint = `http://${urlHost(host)}:${wsPort}/${stage}`;

    const env = options.env ?? {};
    const maxMessageLength = Number(
      env[contract.environment.maxMessageLength] ?? contract.limits.maxMessageLength,
    );
    const site = await startStaticSite({
      host,
      port: options.httpPort ?? 0,
      distDir: siteDir,
      templateDir: TEMPLATE_DIR,
      websocketUrl,
      maxMessageLength,
    });
    stops.push(site.stop);

    const functionTimeoutMs = options.functionTimeoutMs ?? 10_000;
    const sqs = await startLocalSqs({
      host: LOOPBACK,
      port: options.sqsPort ?? 0,
      region: REGION,
      queues: [
        {
          // As Terraform sets them: six function timeouts of visibility, an hour of retention,
          // and a dead-letter queue after five receives.
          name: SHARD_QUEUE,
          visibilityTimeoutSeconds:
            options.shardVisibilityTimeoutSeconds ?? (6 * functionTimeoutMs) / 1000,
          retentionSeconds: 3600,
          redrive: { deadLetterQueue: DEAD_LETTER_QUEUE, maxReceiveCount: 5 },
        },
        { name: DEAD_LETTER_QUEUE, visibilityTimeoutSeconds: 30, retentionSeconds: 14 * 86_400 },
      ],
    });
    stops.push(sqs.stop);

    const memoryMb = options.memoryMb ?? 256;
    const cpu: CpuLimiterSupport = options.limitCpu
      ? await cpuLimiterFor(memoryMb)
      : { ok: false, reason: 'not asked for' };
    const runner = new LambdaRunner({
      handlerPath,
      handlerExport: options.handlerExport ?? 'handler',
      environment: lambdaEnvironment({
        tableName: TABLE_NAME,
        managementEndpoint,
        dynamoEndpoint: dynamo.endpoint,
        sqsEndpoint: sqs.endpoint,
        shardQueueUrl: sqs.queueUrl(SHARD_QUEUE),
        memoryMb,
        extra: env,
      }),
      timeoutMs: functionTimeoutMs,
      maxConcurrency: options.maxConcurrency ?? 10,
      maxQueued: options.maxQueued ?? 1000,
      functionName: FUNCTION_NAME,
      region: REGION,
      memoryLimitInMB: memoryMb,
      ...(cpu.ok && { cpuLimiter: cpu.limiter }),
      // The function's own log lines join the stack's, as they would in CloudWatch Logs.
      onFunctionOutput: printLine,
    });
    stops.push(() => runner.stop());
    await runner.start();

    const mapping = new EventSourceMapping({
      queue: sqs.queue(SHARD_QUEUE),
      region: REGION,
      batchSize: options.shardBatchSize ?? 1,
      maximumConcurrency: options.shardMaxConcurrency ?? 5,
      invoke: (event) => runner.invoke(event),
      log,
    });
    mapping.start();
    // Polling stops before the containers do, so no batch is cut off mid-way.
    stops.push(() => mapping.stop());

    const gateway = new WebSocketGateway({
      apiId: randomBytes(5).toString('hex'),
      stage,
      routeKeys: new Set(options.routes ?? contract.routes),
      selectRouteValue: compileRouteSelectionExpression(contract.routeSelectionExpression),
      invoke: (event) => runner.invoke(event),
      idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
      maxConnectionMs: options.maxConnectionMs ?? 7_200_000,
      integrationTimeoutMs: options.integrationTimeoutMs ?? 29_000,
      log,
    });
    // Connections close before the containers stop, so no invocation is cut off mid-way.
    stops.push(() => gateway.stop());
    executeApi.on('request', createConnectionsApi({ stage, gateway }));
    executeApi.on('upgrade', (request, socket, head: Buffer) => {
      // A failure here must cost one handshake, never the whole stack.
      gateway.handleUpgrade(request, socket, head).catch(() => socket.destroy());
    });

    return {
      pageUrl: `http://${urlHost(host)}:${site.port}/`,
      websocketUrl,
      managementEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      tableName: TABLE_NAME,
      roomsTableName: ROOMS_TABLE_NAME,
      region: REGION,
      sqsEndpoint: sqs.endpoint,
      shardQueueUrl: sqs.queueUrl(SHARD_QUEUE),
      deadLetterQueueUrl: sqs.queueUrl(DEAD_LETTER_QUEUE),
      cpuLimit: cpu.ok
        ? { applied: true, description: `${memoryMb} MB at ${cpu.limiter.description}` }
        : { applied: false, description: `${memoryMb} MB at full CPU (${cpu.reason})` },
      lambdaStats: () => runner.stats,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The function's environment: what Lambda and our Terraform set, pointed at the local pieces. */
function lambdaEnvironment(parts: {
  tableName: string;
  managementEndpoint: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  shardQueueUrl: string;
  memoryMb: number;
  extra: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    // The runtime's own variables, as a Node.js 22 Lambda sees them.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(parts.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    TZ: ':UTC',
    // Lambda runs Node.js 22; the SDK's warning about an older local Node.js says nothing about it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // Fake credentials: nothing local checks signatures, and no real AWS account is ever reached.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    // The SDK's standard per-service endpoint variable: the unmodified bundle reaches dynalite.
    AWS_ENDPOINT_URL_DYNAMODB: parts.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: parts.sqsEndpoint,
    [contract.environment.tableName]: parts.tableName,
    [contract.environment.roomsTableName]: ROOMS_TABLE_NAME,
    [contract.environment.apigwEndpoint]: parts.managementEndpoint,
    [contract.environment.shardQueueUrl]: parts.shardQueueUrl,
    ...parts.extra,
  };
}

/** `what` names a default artefact that `npm run build` produces; undefined for a user's path. */
async function requireBuilt(path: string, what: string | undefined): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new MissingBuildError(
      what === undefined
        ? `${path} does not exist.`
        : `${what} is not built (${path} is missing): run \`npm run build\` first ` +
            '(`npm start` builds before it starts the stack).',
    );
  }
}
