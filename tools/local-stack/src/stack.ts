/**
 * The composition root of the local stack: DynamoDB (dynalite), the Lambda runner, the WebSocket
 * gateway with its `@connections` API on one port (like the execute-api host), and the static site.
 * `npm start` (cli.ts), the integration tests, the browser tests and the benchmarks all start the
 * stack through {@link startLocalStack}.
 */
import { type JsonWebKey, randomBytes } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { LAMBDA_RUNTIME } from '../../../contract/lambda-runtime.ts';
import { listedOrigins } from '../../../contract/origins.ts';
import { LOCAL_CLIENT_ID } from '../../../scripts/lib/dev-sign-in.ts';
import { type CallbackBudget, createCallbackBudget } from './callback-budget.ts';
import { createConnectionsApi } from './connections-api.ts';
import { type CpuLimiterSupport, cpuLimiterFor } from './cpu-share.ts';
import { LOCAL_STACK_DEFAULTS } from './defaults.ts';
import { DEV_USERS } from './dev-users.ts';
import { LOCAL_CREDENTIALS, startLocalDynamoDb } from './dynamodb.ts';
import { EventSourceMapping } from './event-source-mapping.ts';
import {
  DynamoDbFaults,
  type DynamoDbFront,
  startDynamoDbFront,
} from './faults/dynamodb-faults.ts';
import { InvocationKills } from './faults/invocation-kills.ts';
import { PostFaults } from './faults/post-faults.ts';
import { QueueSendFaults } from './faults/queue-send-faults.ts';
import { createStackFaults, type StackFaults } from './faults/stack-faults.ts';
import {
  FunctionMetrics,
  type FunctionMetricsSummary,
  readFunctionOutput,
} from './function-metrics.ts';
import {
  connectMethodArn,
  parseIdentitySource,
  SUBPROTOCOL_IDENTITY_SOURCE,
} from './lambda-authorizer.ts';
import { LambdaRunner, type LambdaRunnerStats } from './lambda-runner.ts';
import { closeServer, listen, type PortRequest, requireFreePorts } from './listen.ts';
import {
  isLoopbackHost,
  isWildcardHost,
  loopbackHostFor,
  reachableHost,
  servedHosts,
  urlHost,
} from './network.ts';
import { type LocalIssuer, listenLocalIssuer } from './oidc-issuer.ts';
import { browserOriginPolicy, pageOrigins } from './origin-policy.ts';
import { compileRouteSelectionExpression } from './route-selection.ts';
import { type LocalSqs, startLocalSqs } from './sqs.ts';
import { type StaticSite, startStaticSite } from './static-site.ts';
import { type GatewayAuthorizer, WebSocketGateway } from './websocket-gateway.ts';

/** Options of {@link startLocalStack}; defaults.ts gives the default of each one left out. */
export interface LocalStackOptions {
  /** Interface the page and the WebSocket endpoint listen on. */
  host?: string;
  /** Port of the chat page; 0 = a free port. */
  httpPort?: number;
  /** Port of the WebSocket endpoint and the `@connections` API; 0 = a free port. */
  wsPort?: number;
  /** Port of DynamoDB; 0 = a free port. */
  dynamoPort?: number;
  /** Stage name in the WebSocket URL and the management endpoint. */
  stage?: string;
  /** The handler's ES module (default: the bundle Lambda runs). */
  handlerPath?: string;
  /** The handler's export name. */
  handlerExport?: string;
  /** Route keys that have an integration. */
  routes?: readonly string[];
  /** Extra Lambda environment (e.g. MAX_MESSAGE_LENGTH, ALLOWED_ORIGINS); wins over the defaults. */
  env?: Record<string, string>;
  /** Idle timeout; a connection without data frames either way is closed with 1001. */
  idleTimeoutMs?: number;
  /** Maximum connection duration, then 1001. */
  maxConnectionMs?: number;
  /** API Gateway's integration timeout. */
  integrationTimeoutMs?: number;
  /** The Lambda function timeout (a hung container is replaced). */
  functionTimeoutMs?: number;
  /** Most Lambda containers at once (a new AWS account's concurrency quota). */
  maxConcurrency?: number;
  /** Invocations that may wait for a free container before Lambda-style throttling. Default 1000. */
  maxQueued?: number;
  /** The function's memory in MB. Default Terraform's lambda_memory_mb (defaults.ts). */
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
  /** The built page to serve. */
  siteDir?: string;
  /** Bytes that may wait to be sent to one client before posts to it answer 429. */
  maxClientBufferBytes?: number;
  /**
   * The account's callback budget in `@connections` posts per second, with AWS's burst of half
   * that (5,000 on 10,000); posts past it answer 429 `LimitExceededException`. Default: no limit.
   */
  callbackRate?: number;
  /**
   * Sign-in offline (`npm start -- --auth`): the local OpenID Connect issuer with its dev users,
   * and the authorizer bundle on `$connect` checking its tokens, as the `oidc` mode runs on AWS.
   * Off when left out: `$connect` has no authorizer, as in the `none` mode.
   */
  auth?: LocalAuthOptions;
  /**
   * Another Lambda REQUEST authorizer on `$connect` (a test's); `auth` brings its own. The
   * handshake must carry every identity source, then the authorizer decides, as on AWS.
   */
  authorizer?: LocalAuthorizerOptions;
  /**
   * Where log lines go: one per invocation, and every line the function itself prints.
   * Default `console.log`; tests pass a no-op or a collector.
   */
  log?: (line: string) => void;
}

/** The local issuer's settings (`auth`). */
export interface LocalAuthOptions {
  /** The issuer's port, on loopback; 0 = a free port (the CLI's `--issuer-port`, 3002). */
  issuerPort?: number;
  /** The issuer's private signing key (an RSA JWK with a `kid`); generated when left out. */
  signingKey?: JsonWebKey;
  /** How long the issuer's ID tokens are valid. Default an hour. */
  idTokenSeconds?: number;
}

/** A Lambda REQUEST authorizer for `$connect`. */
export interface LocalAuthorizerOptions {
  /** The authorizer's ES module. */
  handlerPath: string;
  /** Its export. Default `handler`. */
  handlerExport?: string;
  /** Its environment, besides what Lambda sets. */
  env?: Record<string, string>;
  /**
   * What a handshake must carry before the authorizer runs. Default the chat's:
   * `route.request.header.Sec-WebSocket-Protocol`.
   */
  identitySources?: readonly string[];
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
  /** What the user should know about how the stack is exposed (a non-loopback `--host`). */
  warnings: readonly string[];
  /** With `auth`: the local issuer, the page's client id and the dev users' names. */
  auth: LocalStackAuth | undefined;
  /** The local SQS endpoint (loopback), and the shard queue and its dead-letter queue. */
  sqsEndpoint: string;
  shardQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Whether containers run at the memory's CPU share, or why not. */
  cpuLimit: { readonly applied: boolean; readonly description: string };
  /** The Node.js the containers run (e.g. `v22.23.3`), and the function's runtime on Lambda. */
  lambdaRuntime: { readonly nodeVersion: string; readonly runtime: string };
  /** What the Lambda containers have done so far (invocations, billed time, CPU). */
  lambdaStats(): LambdaRunnerStats;
  /**
   * The function's metrics so far, from the Embedded Metric Format lines it wrote (the sum of each
   * metric and every TimeToLastDelivery value), and the posts the callback budget refused.
   */
  metrics(): LocalStackMetrics;
  /** Starts the metrics from zero again (e.g. between a benchmark's rounds). */
  resetMetrics(): void;
  /**
   * Fault injection for tests: `@connections` outages, SQS refusing the function's sends,
   * DynamoDB failing an operation, a container killed mid-invocation.
   */
  readonly faults: StackFaults;
  /** Closes every connection (1001) and server, and terminates the Lambda containers. */
  stop(): Promise<void>;
}

/** Sign-in on a running stack. */
export interface LocalStackAuth {
  /** The issuer URL, e.g. `http://127.0.0.1:3002` (the tokens' `iss`). */
  readonly issuer: string;
  /** The page's client id (the tokens' `aud`). */
  readonly clientId: string;
  /** The `kid` of the issuer's signing key. */
  readonly keyId: string;
  /** The dev users' names, for `npm run dev-token -- --user`. */
  readonly users: readonly string[];
}

/** What {@link LocalStack.metrics} returns. */
export interface LocalStackMetrics extends FunctionMetricsSummary {
  /** `@connections` posts the account's callback budget (`callbackRate`) refused with 429. */
  readonly callbackThrottled: number;
}

/** `auth` asked for with a `host` that is not loopback. */
export class AuthNeedsLoopbackError extends Error {
  override readonly name = 'AuthNeedsLoopbackError';
}

/** A build artefact the stack needs is missing. */
export class MissingBuildError extends Error {
  override readonly name = 'MissingBuildError';
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEMPLATE_DIR = `${REPO_ROOT}frontend`;
const REGION = 'us-east-1';
const TABLE_NAME = 'awsome-chat-connections';
const ROOMS_TABLE_NAME = 'awsome-chat-rooms';
const FUNCTION_NAME = 'awsome-chat-local';
const AUTHORIZER_FUNCTION_NAME = 'awsome-chat-local-authorizer';
const ACCOUNT_ID = '000000000000';
/** The authorizer bundle, relative to the repository root (`npm run build` makes it). */
const AUTHORIZER_BUNDLE = 'backend/dist/authorizer/index.mjs';
/** The authorizer's memory and timeout, as suggested for Terraform (the key fetch can take 6 s). */
const AUTHORIZER_MEMORY_MB = 256;
const AUTHORIZER_TIMEOUT_MS = 10_000;
const SHARD_QUEUE = 'awsome-chat-fanout';
const DEAD_LETTER_QUEUE = 'awsome-chat-fanout-dlq';

/** {@link LocalStackOptions} with the defaults filled in. */
export type ResolvedLocalStackOptions = Required<
  Omit<LocalStackOptions, 'persistDir' | 'log' | 'callbackRate' | 'auth' | 'authorizer'>
> &
  Pick<LocalStackOptions, 'persistDir' | 'log' | 'callbackRate' | 'auth' | 'authorizer'>;

/**
 * Fills in the defaults (defaults.ts) of every option left out.
 * @param options - what the caller asked for
 * @returns every option with a value
 */
export function resolveLocalStackOptions(options: LocalStackOptions): ResolvedLocalStackOptions {
  const defaults = LOCAL_STACK_DEFAULTS;
  return {
    host: options.host ?? defaults.host,
    httpPort: options.httpPort ?? defaults.httpPort,
    wsPort: options.wsPort ?? defaults.wsPort,
    dynamoPort: options.dynamoPort ?? defaults.dynamoPort,
    stage: options.stage ?? defaults.stage,
    handlerPath: options.handlerPath ?? `${REPO_ROOT}${defaults.handlerFile}`,
    handlerExport: options.handlerExport ?? defaults.handlerExport,
    routes: options.routes ?? defaults.routes,
    env: options.env ?? {},
    idleTimeoutMs: options.idleTimeoutMs ?? defaults.idleTimeoutMs,
    maxConnectionMs: options.maxConnectionMs ?? defaults.maxConnectionMs,
    integrationTimeoutMs: options.integrationTimeoutMs ?? defaults.integrationTimeoutMs,
    functionTimeoutMs: options.functionTimeoutMs ?? defaults.functionTimeoutMs,
    maxConcurrency: options.maxConcurrency ?? defaults.maxConcurrency,
    maxQueued: options.maxQueued ?? defaults.maxQueued,
    memoryMb: options.memoryMb ?? defaults.memoryMb,
    limitCpu: options.limitCpu ?? defaults.limitCpu,
    sqsPort: options.sqsPort ?? defaults.sqsPort,
    // Six function timeouts, as Terraform sets the queue's visibility timeout.
    shardVisibilityTimeoutSeconds:
      options.shardVisibilityTimeoutSeconds ??
      (contract.shardQueue.visibilityTimeoutFunctionTimeouts *
        (options.functionTimeoutMs ?? defaults.functionTimeoutMs)) /
        1000,
    shardBatchSize: options.shardBatchSize ?? defaults.shardBatchSize,
    shardMaxConcurrency: options.shardMaxConcurrency ?? defaults.shardMaxConcurrency,
    persistDir: options.persistDir,
    siteDir: options.siteDir ?? `${REPO_ROOT}${defaults.siteDir}`,
    maxClientBufferBytes: options.maxClientBufferBytes ?? defaults.maxClientBufferBytes,
    callbackRate: options.callbackRate,
    auth: options.auth,
    authorizer: options.authorizer,
    log: options.log,
  };
}

/**
 * Starts the whole chat offline. Each part is stopped again if a later one fails to start.
 *
 * @throws MissingBuildError when the bundle or the page is not built; PortInUseError naming every
 *   port that is taken, before anything starts; HandlerLoadError when the handler module cannot be
 *   loaded; WrongNodeVersionError when the containers would run another Node.js major version
 *   than Lambda's runtime.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const settings = resolveLocalStackOptions(options);
  const { host, stage } = settings;
  const printLine = settings.log ?? ((line: string) => console.log(line));
  const log = withTimeOfDay(printLine);
  // Before anything starts, so a rate that makes no sense stops nothing half-started.
  const callbackBudget = createCallbackBudget(settings.callbackRate);
  await requireFiles(settings, options);

  const network = describeNetwork(host);
  if (settings.auth !== undefined && !isLoopbackHost(host)) {
    throw new AuthNeedsLoopbackError(
      `sign-in needs the stack on this machine: the local issuer serves plain http, which the ` +
        `authorizer accepts only on loopback, and --host ${host} would open it to others. ` +
        'Leave --host out with --auth.',
    );
  }
  await requireFreePorts(portsToListenOn(settings, network));

  const parts = new StartedParts();
  const injected = {
    posts: new PostFaults(),
    queueSends: new QueueSendFaults(),
    dynamoDb: new DynamoDbFaults(),
    kills: new InvocationKills(),
  };
  try {
    // Nothing checks a signature on DynamoDB or @connections: they stay on this machine.
    const { loopbackHost } = network;
    const dynamo = parts.add(await startDynamoDb(settings, loopbackHost, injected.dynamoDb));
    const executeApi = parts.add(await listenExecuteApi(host, settings.wsPort));
    const { websocketUrl, managementEndpoint } = executeApiUrls(network, executeApi.port, stage);
    const listeningIssuer =
      settings.auth === undefined
        ? undefined
        : parts.add(
            await listenLocalIssuer({ host: loopbackHost, port: settings.auth.issuerPort ?? 0 }),
          );
    const site = parts.add(
      await startSite(
        settings,
        websocketUrl,
        listeningIssuer === undefined
          ? undefined
          : { issuer: listeningIssuer.issuer, clientId: LOCAL_CLIENT_ID },
      ),
    );
    const issuer =
      settings.auth === undefined || listeningIssuer === undefined
        ? undefined
        : listeningIssuer.serve({
            pageOrigins: pageOrigins(servedHosts(network.host, network.interfaces), site.port),
            ...(settings.auth.signingKey !== undefined && { signingKey: settings.auth.signingKey }),
            ...(settings.auth.idTokenSeconds !== undefined && {
              idTokenSeconds: settings.auth.idTokenSeconds,
            }),
          });

    // Like DynamoDB, the queue is for the function alone: loopback only, whatever --host says.
    const sqs = await startLocalSqs({
      host: loopbackHost,
      port: settings.sqsPort,
      region: REGION,
      queues: [
        {
          // As Terraform sets them (contract.json): six function timeouts of visibility, an hour
          // of retention, and a dead-letter queue after five receives.
          name: SHARD_QUEUE,
          visibilityTimeoutSeconds: settings.shardVisibilityTimeoutSeconds,
          retentionSeconds: contract.shardQueue.messageRetentionSeconds,
          redrive: {
            deadLetterQueue: DEAD_LETTER_QUEUE,
            maxReceiveCount: contract.shardQueue.maxReceiveCount,
          },
        },
        {
          name: DEAD_LETTER_QUEUE,
          visibilityTimeoutSeconds: 30,
          retentionSeconds: contract.shardQueue.deadLetterRetentionSeconds,
        },
      ],
      refuseSend: (queueName, body) => injected.queueSends.refuses(queueName, body),
    });
    parts.add(sqs);

    const cpu = await cpuLimiterSupport(settings);
    const functionMetrics = new FunctionMetrics();
    // The function's own log lines join the stack's, as they would in CloudWatch Logs; its
    // metrics become one line each.
    const functionOutput = readFunctionOutput(functionMetrics, printLine, log);
    const runner = parts.add(
      createLambdaRunner(settings, cpu, functionOutput, injected.kills, {
        managementEndpoint,
        dynamoEndpoint: dynamo.endpoint,
        sqsEndpoint: sqs.endpoint,
        shardQueueUrl: sqs.queueUrl(SHARD_QUEUE),
        deadLetterQueueUrl: sqs.queueUrl(DEAD_LETTER_QUEUE),
        authMode: issuer === undefined ? undefined : 'oidc',
      }),
    );
    const nodeVersion = await runner.start();
    const authorizerSettings = authorizerFor(settings, issuer);
    const authorizerRunner =
      authorizerSettings === undefined
        ? undefined
        : parts.add(
            createAuthorizerRunner(
              authorizerSettings,
              settings.limitCpu ? await cpuLimiterFor(AUTHORIZER_MEMORY_MB) : undefined,
              functionOutput,
              settings.maxConcurrency,
            ),
          );
    await authorizerRunner?.start();
    // Polling stops before the containers do, so no batch is cut off mid-way.
    parts.add(startShardMapping(settings, sqs, runner, log));
    const allowOrigin = allowedBrowserOrigins(settings, network, site.port);
    // Connections close before the containers stop, so no invocation is cut off mid-way.
    const apiId = randomBytes(5).toString('hex');
    const gateway = parts.add(
      createGateway(
        settings,
        apiId,
        runner,
        allowOrigin,
        log,
        authorizerRunner === undefined || authorizerSettings === undefined
          ? undefined
          : gatewayAuthorizer(authorizerSettings, authorizerRunner, apiId, stage),
      ),
    );
    serveExecuteApi(executeApi.servers, gateway, stage, callbackBudget, injected.posts);
    let refusedBeforeReset = 0;

    return {
      pageUrl: `http://${network.publicHost}:${site.port}/`,
      websocketUrl,
      managementEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      tableName: TABLE_NAME,
      roomsTableName: ROOMS_TABLE_NAME,
      region: REGION,
      warnings: network.warnings,
      auth:
        issuer === undefined
          ? undefined
          : {
              issuer: issuer.issuer,
              clientId: issuer.clientId,
              keyId: issuer.keyId,
              users: DEV_USERS.map((user) => user.username),
            },
      sqsEndpoint: sqs.endpoint,
      shardQueueUrl: sqs.queueUrl(SHARD_QUEUE),
      deadLetterQueueUrl: sqs.queueUrl(DEAD_LETTER_QUEUE),
      cpuLimit: describeCpuLimit(cpu, settings.memoryMb),
      lambdaRuntime: { nodeVersion, runtime: LAMBDA_RUNTIME },
      lambdaStats: () => runner.stats,
      metrics: () => ({
        ...functionMetrics.summary(),
        callbackThrottled: callbackBudget.refused - refusedBeforeReset,
      }),
      resetMetrics: () => {
        functionMetrics.reset();
        refusedBeforeReset = callbackBudget.refused;
      },
      faults: createStackFaults({
        ...injected,
        queueNames: { shard: SHARD_QUEUE, deadLetter: DEAD_LETTER_QUEUE },
      }),
      stop: () => parts.stopAll(),
    };
  } catch (error) {
    await parts.stopAll();
    throw error;
  }
}

/** Something the stack started and must stop again. */
interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The parts started so far. They stop in the reverse order of starting, so no part stops under
 * one that still needs it, and a part that fails to stop does not keep the others running.
 */
class StartedParts {
  readonly #started: Stoppable[] = [];

  /** Remembers `part` for {@link stopAll}, and returns it. */
  add<T extends Stoppable>(part: T): T {
    this.#started.push(part);
    return part;
  }

  /** Stops every part, the last started first; a second call has nothing left to stop. */
  async stopAll(): Promise<void> {
    for (const part of this.#started.splice(0).reverse()) await part.stop().catch(() => {});
  }
}

/** `printLine` with the time of day (UTC, to the millisecond) in front of every line. */
function withTimeOfDay(printLine: (line: string) => void): (line: string) => void {
  return (line) => printLine(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

/** The built handler and page exist, and so does the folder DynamoDB keeps its data in. */
async function requireFiles(
  settings: ResolvedLocalStackOptions,
  options: LocalStackOptions,
): Promise<void> {
  await requireBuilt(
    settings.handlerPath,
    options.handlerPath === undefined ? 'the Lambda bundle' : undefined,
  );
  await requireBuilt(settings.siteDir, options.siteDir === undefined ? 'the chat page' : undefined);
  if (settings.auth !== undefined) {
    await requireBuilt(`${REPO_ROOT}${AUTHORIZER_BUNDLE}`, 'the authorizer bundle');
  }
  if (settings.authorizer !== undefined)
    await requireBuilt(settings.authorizer.handlerPath, undefined);
  if (settings.persistDir !== undefined) await mkdir(settings.persistDir, { recursive: true });
}

/** Where the stack listens and what browsers are told to reach, for the interface `host`. */
interface StackNetwork {
  readonly host: string;
  /** The loopback address of `host`'s family: DynamoDB, SQS and `@connections` stay on it. */
  readonly loopbackHost: string;
  /** This machine's interfaces, when `host` was read. */
  readonly interfaces: ReturnType<typeof networkInterfaces>;
  /** The host in the URLs a browser is given (brackets around IPv6). */
  readonly publicHost: string;
  /** What the user should know about how the stack is exposed. */
  readonly warnings: readonly string[];
}

/** How the stack is reached when it listens on `host`. */
function describeNetwork(host: string): StackNetwork {
  const loopbackHost = loopbackHostFor(host);
  const interfaces = networkInterfaces();
  const browserHost = reachableHost(host, interfaces);
  return {
    host,
    loopbackHost,
    interfaces,
    publicHost: urlHost(browserHost ?? loopbackHost),
    warnings: exposureWarnings(host, browserHost),
  };
}

/**
 * Every port the stack will listen on, with the flag that moves it, in the order `npm start
 * --help` lists them.
 */
function portsToListenOn(
  settings: ResolvedLocalStackOptions,
  network: StackNetwork,
): PortRequest[] {
  const { host, loopbackHost } = network;
  return [
    { host, port: settings.httpPort, flag: '--http-port' },
    { host, port: settings.wsPort, flag: '--ws-port' },
    ...(executeApiAlsoOnLoopback(host)
      ? [{ host: '127.0.0.1', port: settings.wsPort, flag: '--ws-port' }]
      : []),
    { host: loopbackHost, port: settings.dynamoPort, flag: '--dynamo-port' },
    { host: loopbackHost, port: settings.sqsPort, flag: '--sqs-port' },
    ...(settings.auth === undefined
      ? []
      : [{ host: loopbackHost, port: settings.auth.issuerPort ?? 0, flag: '--issuer-port' }]),
  ];
}

/** The WebSocket URL browsers get, and the management endpoint the function posts to. */
function executeApiUrls(
  network: StackNetwork,
  port: number,
  stage: string,
): { websocketUrl: string; managementEndpoint: string } {
  return {
    websocketUrl: `ws://${network.publicHost}:${port}/${stage}`,
    managementEndpoint: `http://${urlHost(network.loopbackHost)}:${port}/${stage}`,
  };
}

/**
 * dynalite, with the connections and rooms tables, on loopback, behind the small front that
 * injects the tests' DynamoDB faults: the front listens on `--dynamo-port` and is the endpoint
 * the function and every client use; dynalite itself listens on a free loopback port of its own,
 * for what the local DynamoDB does through it (creating the tables).
 */
async function startDynamoDb(
  settings: ResolvedLocalStackOptions,
  loopbackHost: string,
  faults: DynamoDbFaults,
): Promise<Stoppable & { endpoint: string }> {
  const dynamo = await startLocalDynamoDb({
    host: loopbackHost,
    port: 0,
    persistDir: settings.persistDir,
    tableName: TABLE_NAME,
    roomsTableName: ROOMS_TABLE_NAME,
    region: REGION,
  });
  let front: DynamoDbFront;
  try {
    front = await startDynamoDbFront({
      host: loopbackHost,
      port: settings.dynamoPort,
      faults,
      answer: dynamo.answer,
    });
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  return {
    endpoint: front.endpoint,
    stop: async () => {
      await front.stop();
      await dynamo.stop();
    },
  };
}

/**
 * The page, with `config.js` pointing at `websocketUrl`, the function's message limit and, with
 * sign-in, the issuer and the page's client id.
 */
function startSite(
  settings: ResolvedLocalStackOptions,
  websocketUrl: string,
  auth: { readonly issuer: string; readonly clientId: string } | undefined,
): Promise<StaticSite> {
  const maxMessageLength = Number(
    settings.env[contract.environment.maxMessageLength] ?? contract.limits.maxMessageLength,
  );
  return startStaticSite({
    host: settings.host,
    port: settings.httpPort,
    distDir: settings.siteDir,
    templateDir: TEMPLATE_DIR,
    websocketUrl,
    maxMessageLength,
    auth,
  });
}

/** Whether containers can be held to the memory's CPU share, or why not. */
async function cpuLimiterSupport(settings: ResolvedLocalStackOptions): Promise<CpuLimiterSupport> {
  return settings.limitCpu
    ? await cpuLimiterFor(settings.memoryMb)
    : { ok: false, reason: 'not asked for' };
}

/** {@link LocalStack.cpuLimit} for what {@link cpuLimiterSupport} found. */
function describeCpuLimit(cpu: CpuLimiterSupport, memoryMb: number): LocalStack['cpuLimit'] {
  return cpu.ok
    ? { applied: true, description: `${memoryMb} MB at ${cpu.limiter.description}` }
    : { applied: false, description: `${memoryMb} MB at full CPU (${cpu.reason})` };
}

/** The Lambda service's stand-in, running the handler with its environment (not started yet). */
function createLambdaRunner(
  settings: ResolvedLocalStackOptions,
  cpu: CpuLimiterSupport,
  functionOutput: (line: string) => void,
  kills: InvocationKills,
  endpoints: Pick<
    Parameters<typeof lambdaEnvironment>[0],
    | 'managementEndpoint'
    | 'dynamoEndpoint'
    | 'sqsEndpoint'
    | 'shardQueueUrl'
    | 'deadLetterQueueUrl'
    | 'authMode'
  >,
): LambdaRunner {
  return new LambdaRunner({
    handlerPath: settings.handlerPath,
    handlerExport: settings.handlerExport,
    runtime: LAMBDA_RUNTIME,
    environment: lambdaEnvironment({
      tableName: TABLE_NAME,
      ...endpoints,
      memoryMb: settings.memoryMb,
      extra: settings.env,
    }),
    timeoutMs: settings.functionTimeoutMs,
    maxConcurrency: settings.maxConcurrency,
    maxQueued: settings.maxQueued,
    functionName: FUNCTION_NAME,
    region: REGION,
    memoryLimitInMB: settings.memoryMb,
    ...(cpu.ok && { cpuLimiter: cpu.limiter }),
    onFunctionOutput: functionOutput,
    onInvocationStart: (event, running) => kills.onInvocationStart(event, running),
  });
}

/** The shard queue's event source mapping, polling and invoking the function. */
function startShardMapping(
  settings: ResolvedLocalStackOptions,
  sqs: LocalSqs,
  runner: LambdaRunner,
  log: (line: string) => void,
): EventSourceMapping {
  const mapping = new EventSourceMapping({
    queue: sqs.queue(SHARD_QUEUE),
    region: REGION,
    batchSize: settings.shardBatchSize,
    maximumConcurrency: settings.shardMaxConcurrency,
    invoke: (event) => runner.invoke(event),
    log,
  });
  mapping.start();
  return mapping;
}

/** The origins a browser may open the WebSocket from: the page's own, and ALLOWED_ORIGINS. */
function allowedBrowserOrigins(
  settings: ResolvedLocalStackOptions,
  network: StackNetwork,
  sitePort: number,
): ReturnType<typeof browserOriginPolicy> {
  return browserOriginPolicy([
    ...pageOrigins(servedHosts(network.host, network.interfaces), sitePort),
    ...listedOrigins(settings.env[contract.environment.allowedOrigins]),
  ]);
}

/** The WebSocket data plane: routes, timeouts and Origin checks as API Gateway applies them. */
function createGateway(
  settings: ResolvedLocalStackOptions,
  apiId: string,
  runner: LambdaRunner,
  allowOrigin: ReturnType<typeof browserOriginPolicy>,
  log: (line: string) => void,
  authorizer: GatewayAuthorizer | undefined,
): WebSocketGateway {
  return new WebSocketGateway({
    apiId,
    stage: settings.stage,
    routeKeys: new Set(settings.routes),
    selectRouteValue: compileRouteSelectionExpression(contract.routeSelectionExpression),
    invoke: (event) => runner.invoke(event),
    idleTimeoutMs: settings.idleTimeoutMs,
    maxConnectionMs: settings.maxConnectionMs,
    integrationTimeoutMs: settings.integrationTimeoutMs,
    allowOrigin,
    maxClientBufferBytes: settings.maxClientBufferBytes,
    ...(authorizer !== undefined && { authorizer }),
    log,
  });
}

/** The execute-api host's requests go to `@connections`, its upgrades to the gateway. */
function serveExecuteApi(
  servers: readonly Server[],
  gateway: WebSocketGateway,
  stage: string,
  budget: CallbackBudget,
  postFaults: PostFaults,
): void {
  const connectionsApi = createConnectionsApi({ stage, gateway, budget, postFaults });
  for (const server of servers) {
    server.on('request', connectionsApi);
    server.on('upgrade', (request, socket, head: Buffer) => {
      // A failure here must cost one handshake, never the whole stack.
      gateway.handleUpgrade(request, socket, head).catch(() => socket.destroy());
    });
  }
}

/**
 * The execute-api host: one port for the WebSocket endpoint and the `@connections` API, on
 * `host`. When `host` is one address of another interface, the same port also listens on
 * 127.0.0.1, where the function and local programs reach `@connections` (which answers loopback
 * peers only).
 */
async function listenExecuteApi(
  host: string,
  port: number,
): Promise<{ port: number; servers: Server[]; stop: () => Promise<void> }> {
  const servers = [createServer()];
  if (executeApiAlsoOnLoopback(host)) servers.push(createServer());
  const listening: Server[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(listening.map((server) => closeServer(server)));
  };
  try {
    let bound = port;
    for (const [index, server] of servers.entries()) {
      // Lambda's SDK clients keep connections alive; do not drop them between broadcasts.
      server.keepAliveTimeout = 65_000;
      bound = await listen(server, index === 0 ? host : '127.0.0.1', bound, '--ws-port');
      listening.push(server);
    }
    return { port: bound, servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Whether `host` is one address of another interface, so `@connections` needs 127.0.0.1 too. */
function executeApiAlsoOnLoopback(host: string): boolean {
  return !isLoopbackHost(host) && !isWildcardHost(host);
}

/** What a user must know when `--host` opens the stack to other machines. */
function exposureWarnings(host: string, browserHost: string | undefined): string[] {
  if (isLoopbackHost(host)) return [];
  const warnings = [
    `--host ${host}: the chat page and the WebSocket endpoint are open to every machine that ` +
      'can reach this one, without a login. The @connections API and DynamoDB still answer on ' +
      'this machine only. Leave --host out to keep the chat on this machine.',
  ];
  if (browserHost === undefined) {
    warnings.push(
      `--host ${host}: this machine has no network address other than loopback, so the page ` +
        'points browsers at 127.0.0.1.',
    );
  }
  return warnings;
}

/** The function's environment: what Lambda and our Terraform set, pointed at the local pieces. */
function lambdaEnvironment(parts: {
  tableName: string;
  managementEndpoint: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  shardQueueUrl: string;
  deadLetterQueueUrl: string;
  memoryMb: number;
  /** The sign-in mode the stack runs, when not `none`. */
  authMode?: 'oidc' | undefined;
  extra: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    // The runtime's own variables, as the function sees them on Lambda.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_RUNTIME}`,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(parts.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    TZ: ':UTC',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // Fake credentials: nothing local checks signatures, and no real AWS account is ever reached.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: LOCAL_CREDENTIALS.sessionToken,
    // The SDK's standard per-service endpoint variable: the unmodified bundle reaches dynalite.
    AWS_ENDPOINT_URL_DYNAMODB: parts.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: parts.sqsEndpoint,
    [contract.environment.tableName]: parts.tableName,
    [contract.environment.roomsTableName]: ROOMS_TABLE_NAME,
    [contract.environment.apigwEndpoint]: parts.managementEndpoint,
    [contract.environment.shardQueueUrl]: parts.shardQueueUrl,
    [contract.environment.deadLetterQueueUrl]: parts.deadLetterQueueUrl,
    ...(parts.authMode !== undefined && { [contract.environment.authMode]: parts.authMode }),
    ...parts.extra,
  };
}

/** What the stack's `$connect` authorizer runs, when it has one. */
interface AuthorizerSettings {
  readonly handlerPath: string;
  readonly handlerExport: string;
  readonly env: Readonly<Record<string, string>>;
  readonly identitySources: readonly string[];
}

/**
 * The authorizer: the bundle Lambda runs, configured for the local issuer as Terraform configures
 * it for an `oidc` issuer (no `AUTH_JWKS_URI`: it reads the issuer's discovery document); or a
 * test's own.
 */
function authorizerFor(
  settings: ResolvedLocalStackOptions,
  issuer: LocalIssuer | undefined,
): AuthorizerSettings | undefined {
  const identitySources = settings.authorizer?.identitySources ?? [SUBPROTOCOL_IDENTITY_SOURCE];
  if (settings.authorizer !== undefined) {
    return {
      handlerPath: settings.authorizer.handlerPath,
      handlerExport: settings.authorizer.handlerExport ?? 'handler',
      env: settings.authorizer.env ?? {},
      identitySources,
    };
  }
  if (issuer === undefined) return undefined;
  const names = contract.environment;
  return {
    handlerPath: `${REPO_ROOT}${AUTHORIZER_BUNDLE}`,
    handlerExport: 'handler',
    env: {
      [names.authMode]: 'oidc',
      [names.authIssuer]: issuer.issuer,
      [names.authAudience]: issuer.clientId,
    },
    identitySources,
  };
}

/** How the gateway runs the authorizer: its identity sources, the method ARN, the function. */
function gatewayAuthorizer(
  authorizer: AuthorizerSettings,
  runner: LambdaRunner,
  apiId: string,
  stage: string,
): GatewayAuthorizer {
  return {
    identitySources: authorizer.identitySources.map(parseIdentitySource),
    methodArn: connectMethodArn({ region: REGION, accountId: ACCOUNT_ID, apiId, stage }),
    invoke: (event) => runner.invoke(event),
  };
}

/** The authorizer function's stand-in: its own containers, memory and environment. */
function createAuthorizerRunner(
  authorizer: AuthorizerSettings,
  cpu: CpuLimiterSupport | undefined,
  functionOutput: (line: string) => void,
  maxConcurrency: number,
): LambdaRunner {
  return new LambdaRunner({
    handlerPath: authorizer.handlerPath,
    handlerExport: authorizer.handlerExport,
    runtime: LAMBDA_RUNTIME,
    environment: {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_RUNTIME}`,
      AWS_LAMBDA_FUNCTION_NAME: AUTHORIZER_FUNCTION_NAME,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(AUTHORIZER_MEMORY_MB),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${AUTHORIZER_FUNCTION_NAME}`,
      TZ: ':UTC',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...authorizer.env,
    },
    timeoutMs: AUTHORIZER_TIMEOUT_MS,
    maxConcurrency,
    maxQueued: LOCAL_STACK_DEFAULTS.maxQueued,
    functionName: AUTHORIZER_FUNCTION_NAME,
    region: REGION,
    memoryLimitInMB: AUTHORIZER_MEMORY_MB,
    ...(cpu?.ok === true && { cpuLimiter: cpu.limiter }),
    onFunctionOutput: functionOutput,
  });
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
