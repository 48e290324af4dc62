/**
 * The local stack's defaults, stated once: stack.ts falls back to them and the `npm start` help
 * text prints them (cli-options.ts). A test checks that the help says what the stack does.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import { LOCAL_ISSUER_PORT } from '../../../scripts/lib/dev-sign-in.ts';

/** What the stack uses for every option left out. */
export const LOCAL_STACK_DEFAULTS = {
  /** Interface the page and the WebSocket endpoint listen on. */
  host: '127.0.0.1',
  /** Ports; 0 picks a free one (tests, benchmarks). The CLI passes {@link CLI_PORTS}. */
  httpPort: 0,
  wsPort: 0,
  dynamoPort: 0,
  stage: contract.stageName,
  /** The bundle Lambda runs, relative to the repository root. */
  handlerFile: 'backend/dist/index.mjs',
  handlerExport: 'handler',
  routes: contract.routes,
  /** The built page, relative to the repository root. */
  siteDir: 'frontend/dist',
  /** API Gateway's idle connection timeout: 10 minutes. */
  idleTimeoutMs: 600_000,
  /** API Gateway's maximum connection duration: 2 hours. */
  maxConnectionMs: 7_200_000,
  /** API Gateway's integration timeout: 29 seconds. */
  integrationTimeoutMs: 29_000,
  /** Terraform's default `lambda_timeout_seconds`. */
  functionTimeoutMs: 10_000,
  /** Most Lambda containers at once: the concurrency quota a new AWS account may have. */
  maxConcurrency: 10,
  /** Invocations that may wait for a free container; more are throttled as Lambda would. */
  maxQueued: 1000,
  /** Terraform's default `lambda_memory_mb` (a unit test ties the two). */
  memoryMb: 1024,
  /** Containers at the memory's CPU share (needs Linux cgroups); `npm start` turns it on. */
  limitCpu: false,
  /** The local SQS, on loopback; 0 picks a free port. */
  sqsPort: 0,
  /** The shard queue's event source mapping, as Terraform's defaults set it. */
  shardBatchSize: 1,
  shardMaxConcurrency: 5,
  /**
   * Bytes that may wait to be sent to one client before a post to it answers 429
   * LimitExceededException: 1 MiB, eight messages of API Gateway's 128 KB maximum. AWS does not
   * publish its own buffer size.
   */
  maxClientBufferBytes: 1_048_576,
} as const;

/** The ports `npm start` uses, so the URLs stay the same from run to run. */
export const CLI_PORTS = {
  httpPort: 3000,
  wsPort: 3001,
  dynamoPort: 8000,
  sqsPort: 9324,
  /** The local issuer's (`--auth`); `npm run dev-token` looks for it there. */
  issuerPort: LOCAL_ISSUER_PORT,
} as const;
