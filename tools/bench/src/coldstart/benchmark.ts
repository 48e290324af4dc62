/**
 * The cold-start benchmark of the Lambda bundle: its size, and the median time to import it and
 * initialise the module (configuration, SDK clients) in fresh Node processes, side by side in the
 * same run with a plain default esbuild bundle of the same four SDK clients, and with the auth
 * modes' `$connect` authorizer, the second function a signed-in handshake cold-starts. Runs
 * alternate between them, so drift of the machine (other load, CPU frequency) hits all alike.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import {
  AUTHORIZER_BUNDLE_DIR_NAME,
  BUNDLE_FILE_NAME,
  LAMBDA_DIST_DIR,
} from '../../../../scripts/build-lambda.ts';
import type { Progress } from '../common/progress.ts';
import { median } from '../common/report.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Measured runs per bundle, after 2 unmeasured warm-up runs each. */
const RUNS = 20;

/** Figures of one bundle. */
export interface BundleColdStart {
  readonly bundleBytes: number;
  /** Median of import + module initialisation, measured inside the fresh process. */
  readonly medianInitMs: number;
  /** Median wall time from spawning `node` to its exit (Node's own start-up included). */
  readonly medianProcessMs: number;
}

/** What {@link runColdStartBenchmark} measured. */
export interface ColdStartResult {
  readonly runs: number;
  readonly nodeVersion: string;
  /** Our Lambda bundle. */
  readonly lambda: BundleColdStart;
  /** A default esbuild bundle that imports and instantiates the same SDK clients. */
  readonly baseline: BundleColdStart;
  /** The `$connect` authorizer's bundle; undefined when it was not built. */
  readonly authorizer?: BundleColdStart;
  /** lambda.medianInitMs / baseline.medianInitMs. */
  readonly initRatio: number;
}

/** The baseline's source: what a handler without any bundling care starts with. */
const BASELINE_SOURCE = `
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const managementApi = new ApiGatewayManagementApiClient({ endpoint: 'https://example.com/prod' });
export const sqs = new SQSClient({});
`;

/** Runs in each fresh process: time the dynamic import of the bundle given as argument. */
const PROBE_SOURCE = `
const startedAt = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - startedAt));
`;

/**
 * Measures the bundle `npm run build` wrote against the baseline.
 * @param progress - where to report progress
 * @returns sizes, medians and their ratio
 */
export async function runColdStartBenchmark(progress: Progress): Promise<ColdStartResult> {
  progress.log('Cold start: fresh Node.js processes, our bundles and the baseline alternating');
  const lambdaPath = path.join(LAMBDA_DIST_DIR, BUNDLE_FILE_NAME);
  await access(lambdaPath).catch(() => {
    throw new Error(`${lambdaPath} is missing; run npm run build first`);
  });
  const authorizerPath = path.join(LAMBDA_DIST_DIR, AUTHORIZER_BUNDLE_DIR_NAME, BUNDLE_FILE_NAME);
  const hasAuthorizer = await access(authorizerPath).then(
    () => true,
    () => false,
  );
  const workDir = await mkdtemp(path.join(tmpdir(), 'cold-start-'));
  try {
    const probePath = path.join(workDir, 'probe.mjs');
    await writeFile(probePath, PROBE_SOURCE);
    const baselinePath = path.join(workDir, 'baseline.mjs');
    const baselineBytes = await buildBaseline(baselinePath);
    const lambdaBytes = (await stat(lambdaPath)).size;

    const paths = {
      lambda: lambdaPath,
      baseline: baselinePath,
      ...(hasAuthorizer && { authorizer: authorizerPath }),
    };
    const samples: Record<string, Sample[]> = { lambda: [], baseline: [], authorizer: [] };
    const warmUps = 2;
    for (let round = 0; round < warmUps + RUNS; round++) {
      // Alternate the order, so none always runs right after another.
      const order = Object.entries(paths);
      if (round % 2 === 1) order.reverse();
      for (const [which, bundlePath] of order) {
        const sample = await measureOnce(probePath, bundlePath);
        if (round >= warmUps) samples[which]?.push(sample);
      }
      if (round >= warmUps) progress.update(`Cold start: run ${round - warmUps + 1}/${RUNS}`);
    }

    const lambda = summarise(lambdaBytes, samples.lambda ?? []);
    const baselineFigures = summarise(baselineBytes, samples.baseline ?? []);
    const initRatio = lambda.medianInitMs / baselineFigures.medianInitMs;
    return {
      runs: RUNS,
      nodeVersion: process.version,
      lambda,
      baseline: baselineFigures,
      ...(hasAuthorizer && {
        authorizer: summarise((await stat(authorizerPath)).size, samples.authorizer ?? []),
      }),
      initRatio,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

interface Sample {
  readonly initMs: number;
  readonly processMs: number;
}

/** @returns the bundle's size in bytes */
async function buildBaseline(outfile: string): Promise<number> {
  // esbuild's defaults for a Node ESM bundle: no minification, no mainFields tuning. With those
  // defaults esbuild picks the SDK's CommonJS builds, whose require() of Node built-ins fails in
  // an ES module ("Dynamic require of node:https is not supported"), so the baseline gets the
  // usual createRequire banner: the least it needs to run at all.
  const result = await build({
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    stdin: { contents: BASELINE_SOURCE, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'error',
  });
  if (result.errors.length > 0) throw new Error('baseline bundle failed');
  return (await stat(outfile)).size;
}

async function measureOnce(probePath: string, bundlePath: string): Promise<Sample> {
  const startedAt = performance.now();
  const { stdout } = await run(process.execPath, ['--no-warnings', probePath, bundlePath], {
    // What the bundles need to start: the chat's two required tables (contract.json) and a
    // region, the authorizer's issuer and audience; nothing is contacted, clients are only
    // created (the authorizer fetches the issuer's keys on its first handshake, not at start).
    env: {
      PATH: process.env.PATH,
      [contract.environment.tableName]: 'connections',
      [contract.environment.roomsTableName]: 'rooms',
      AWS_REGION: 'eu-west-1',
      [contract.environment.authMode]: 'oidc',
      [contract.environment.authIssuer]: 'https://issuer.example.com',
      [contract.environment.authAudience]: 'bench',
    },
  });
  const processMs = performance.now() - startedAt;
  const initMs = Number(stdout);
  if (!Number.isFinite(initMs)) throw new Error(`probe printed ${JSON.stringify(stdout)}`);
  return { initMs, processMs };
}

function summarise(bundleBytes: number, samples: readonly Sample[]): BundleColdStart {
  return {
    bundleBytes,
    medianInitMs: median(samples.map((sample) => sample.initMs)),
    medianProcessMs: median(samples.map((sample) => sample.processMs)),
  };
}
