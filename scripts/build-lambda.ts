/**
 * Bundles the Lambda functions with esbuild and packs each into a deterministic zip: the same
 * source gives a byte-identical `backend/dist/lambda.zip` (the chat function) and
 * `backend/dist/authorizer.zip` (the `$connect` authorizer of the auth modes), so Terraform's
 * `source_code_hash` only changes, and Lambda is only updated, when the code does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { LAMBDA_NODE_MAJOR } from '../contract/lambda-runtime.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where Terraform and the local stack expect the artefacts. */
export const LAMBDA_DIST_DIR = path.join(repoRoot, 'backend', 'dist');

/** The bundle's file name inside the zip; `index.handler` is the Lambda handler setting. */
export const BUNDLE_FILE_NAME = 'index.mjs';

/** The zip's file name in the dist directory. */
export const ZIP_FILE_NAME = 'lambda.zip';

/**
 * The authorizer's bundle, in a folder of its own under the dist directory (`index.mjs` there,
 * like the chat function's, so both functions' handler setting is `index.handler`).
 */
export const AUTHORIZER_BUNDLE_DIR_NAME = 'authorizer';

/** The authorizer's zip's file name in the dist directory. */
export const AUTHORIZER_ZIP_FILE_NAME = 'authorizer.zip';

/**
 * A fixed timestamp for zip entries. ZIP stores DOS times in local time and fflate converts with
 * the local-time getters, so the date is built from local components: every time zone then
 * writes the same bytes (1980-01-01 00:00, the earliest DOS time).
 */
const FIXED_MTIME = new Date(1980, 0, 1);

/** What {@link buildLambda} wrote. */
export interface LambdaBuildResult {
  readonly bundlePath: string;
  readonly zipPath: string;
  readonly bundleBytes: number;
  readonly zipBytes: number;
  /** Every source file the bundle holds, relative to the repository root. */
  readonly bundledFiles: readonly string[];
}

/** Options of {@link buildLambda}. */
export interface LambdaBuildOptions {
  /** Output directory; tests build into temporary ones. Defaults to `backend/dist`. */
  readonly outDir?: string;
  /** Print nothing; by default the bundle and zip sizes are printed. */
  readonly quiet?: boolean;
}

/**
 * Bundles `backend/src/handler.ts`, the chat function (ESM for the Lambda runtime's Node.js major, minified, AWS SDK
 * included: the runtime's built-in SDK version is not ours to rely on) and zips it.
 * @param options - output directory and verbosity
 * @returns the paths and sizes of the bundle and the zip
 */
export async function buildLambda(options: LambdaBuildOptions = {}): Promise<LambdaBuildResult> {
  const outDir = options.outDir ?? LAMBDA_DIST_DIR;
  return buildFunction('lambda', 'backend/src/handler.ts', {
    bundlePath: path.join(outDir, BUNDLE_FILE_NAME),
    zipPath: path.join(outDir, ZIP_FILE_NAME),
    quiet: options.quiet,
  });
}

/**
 * Bundles `backend/src/authorizer-handler.ts`, the `$connect` authorizer, the same way into
 * `authorizer/index.mjs` and `authorizer.zip`. A function of its own: it needs aws-jwt-verify and
 * none of the chat's SDK clients, so its bundle is a small fraction of the chat's, it starts
 * faster, and its role needs no permission but its logs.
 * @param options - output directory and verbosity
 * @returns the paths and sizes of the bundle and the zip
 */
export async function buildAuthorizer(
  options: LambdaBuildOptions = {},
): Promise<LambdaBuildResult> {
  const outDir = options.outDir ?? LAMBDA_DIST_DIR;
  return buildFunction('authorizer', 'backend/src/authorizer-handler.ts', {
    bundlePath: path.join(outDir, AUTHORIZER_BUNDLE_DIR_NAME, BUNDLE_FILE_NAME),
    zipPath: path.join(outDir, AUTHORIZER_ZIP_FILE_NAME),
    quiet: options.quiet,
  });
}

async function buildFunction(
  label: string,
  entryPoint: string,
  target: { readonly bundlePath: string; readonly zipPath: string; readonly quiet?: boolean },
): Promise<LambdaBuildResult> {
  const { bundlePath, zipPath } = target;
  const { bundle, bundledFiles } = await bundleHandler(entryPoint);
  const zip = zipDeterministically(BUNDLE_FILE_NAME, bundle);
  await mkdir(path.dirname(bundlePath), { recursive: true });
  await mkdir(path.dirname(zipPath), { recursive: true });
  await writeFile(bundlePath, bundle);
  await writeFile(zipPath, zip);
  if (target.quiet !== true) {
    console.log(
      `${label}: ${path.relative(repoRoot, bundlePath)} ${kib(bundle.length)}, ` +
        `${path.relative(repoRoot, zipPath)} ${kib(zip.length)}`,
    );
  }
  return { bundlePath, zipPath, bundleBytes: bundle.length, zipBytes: zip.length, bundledFiles };
}

/**
 * Zips one file with a fixed timestamp, fixed Unix permissions and maximum compression, so the
 * archive depends on nothing but the file's name and bytes.
 * @param fileName - the entry's name
 * @param content - the entry's bytes
 * @returns the zip archive
 */
export function zipDeterministically(fileName: string, content: Uint8Array): Uint8Array {
  return zipSync(
    { [fileName]: [content, { mtime: FIXED_MTIME, os: 3, attrs: 0o644 << 16 }] },
    { level: 9 },
  );
}

/**
 * The bundle is JavaScript and JSON only, so it runs unchanged on the function's architecture
 * (contract.json's lambda.architecture, arm64) although it is built and tested on any machine;
 * a native addon would be built for the machine's. The build test checks `bundledFiles` for one.
 */
async function bundleHandler(
  entryPoint: string,
): Promise<{ bundle: Uint8Array; bundledFiles: string[] }> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [entryPoint],
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The syntax the function's runtime (contract.json, e.g. nodejs22.x) runs as it is.
    target: `node${LAMBDA_NODE_MAJOR}`,
    minify: true,
    // The SDK ships ES modules under "module"; esbuild tree-shakes those far better than CJS.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    banner: { js: REQUIRE_BANNER },
    plugins: [requireNodeBuiltins, credentialsFromEnvironment],
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  // The plugins' virtual modules (`node-builtin:fs`, …) are inputs too, but no files.
  const bundledFiles = Object.keys(result.metafile.inputs).filter(
    (input) => !/^[a-z-]+:/.test(input),
  );
  return { bundle: output.contents, bundledFiles };
}

/**
 * Gives every SDK client the environment's credentials as its default provider, in place of the
 * SDK's whole default chain. Lambda puts the execution role's credentials in
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
 * ([defined runtime environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)),
 * and the default chain reads those first too, so on Lambda nothing changes; the rest of the
 * chain (SSO, profiles, web identity, container and instance metadata, with the STS and SSO
 * clients they need) is about 115 KB of code every cold start would parse and never run. The
 * local stack sets the same three variables. Without them a client fails with the SDK's own
 * `CredentialsProviderError` ("Unable to find environment variable credentials").
 */
const credentialsFromEnvironment: Plugin = {
  name: 'credentials-from-environment',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => ({
      path: args.path,
      namespace: 'credentials-from-environment',
      // Resolved from the importing client, so it is the credential-provider-env its chain uses.
      pluginData: args.resolveDir,
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'credentials-from-environment' }, (args) => ({
      contents: "export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';",
      resolveDir: args.pluginData as string,
      loader: 'js',
    }));
  },
};

/** Gives the ES module bundle a CommonJS `require` for Node built-ins (see below). */
const REQUIRE_BANNER =
  "import{createRequire as __createRequire}from'node:module';const __nodeRequire=__createRequire(import.meta.url);";

/**
 * Loads Node built-ins with require() instead of ES imports, for two cold-start reasons:
 * - An ES import of a built-in builds its namespace by reading every export, which runs lazy
 *   getters: on Node 22 `import 'node:http'` thereby loads undici, http2 and worker_threads
 *   (measured ~15 ms); require() reads nothing it is not asked for.
 * - An ES import is hoisted to the top of the bundle and always runs; a require() stays inside
 *   its module's lazy initialiser, so built-ins used only by credential providers Lambda never
 *   reaches (IMDS over node:http, credential_process over node:child_process) are never loaded.
 */
const requireNodeBuiltins: Plugin = {
  name: 'require-node-builtins',
  setup(pluginBuild) {
    const builtins = new Set(builtinModules);
    pluginBuild.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtins.has(name) ? { path: name, namespace: 'node-builtin' } : undefined;
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = __nodeRequire(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  await buildLambda();
  await buildAuthorizer();
}
