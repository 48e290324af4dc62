/**
 * The Lambda artefact: deterministic zip, bundle size, a bundle that starts on this Node, and
 * nothing in it built for one architecture.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestDynamoDb,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../../../backend/test/support/dynalite.ts';
import { claims, makeKeys, signToken } from '../../../backend/test/support/tokens.ts';
import type { LambdaBuildResult } from '../../build-lambda.ts';
import { buildAuthorizer, buildLambda, zipDeterministically } from '../../build-lambda.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const BUNDLE_LIMIT_BYTES = 400 * 1024;
/** The authorizer: aws-jwt-verify and the chat's own few modules, no AWS SDK. */
const AUTHORIZER_LIMIT_BYTES = 64 * 1024;

/** What marks a package as built for one platform or architecture. */
interface PackageManifest {
  readonly name: string;
  readonly cpu?: readonly string[];
  readonly os?: readonly string[];
  readonly gypfile?: boolean;
}

/** The folders of the npm packages `files` come from, e.g. `node_modules/@aws-sdk/core`. */
function packageDirsOf(files: readonly string[]): string[] {
  const dirs = files.map((file) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]);
  return [...new Set(dirs.filter((dir) => dir !== undefined))];
}

/** Whether an installed package is built for one architecture: `cpu`/`os`, or node-gyp. */
async function isArchitectureSpecific(packageDir: string): Promise<boolean> {
  const dir = path.join(repoRoot, packageDir);
  const manifest = JSON.parse(
    await readFile(path.join(dir, 'package.json'), 'utf8'),
  ) as PackageManifest;
  const hasBindingGyp = await access(path.join(dir, 'binding.gyp')).then(
    () => true,
    () => false,
  );
  return (
    manifest.cpu !== undefined ||
    manifest.os !== undefined ||
    manifest.gypfile === true ||
    hasBindingGyp
  );
}

let workDir: string;
let first: LambdaBuildResult;
let second: LambdaBuildResult;
let authorizer: LambdaBuildResult;
let authorizerAgain: LambdaBuildResult;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'lambda-build-'));
  first = await buildLambda({ outDir: path.join(workDir, 'one'), quiet: true });
  second = await buildLambda({ outDir: path.join(workDir, 'two'), quiet: true });
  authorizer = await buildAuthorizer({ outDir: path.join(workDir, 'one'), quiet: true });
  authorizerAgain = await buildAuthorizer({ outDir: path.join(workDir, 'two'), quiet: true });
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('buildLambda', () => {
  it('gives a byte-identical zip for the same source', async () => {
    // Act
    const [zipOne, zipTwo] = await Promise.all([readFile(first.zipPath), readFile(second.zipPath)]);

    // Assess
    expect(zipOne.equals(zipTwo)).toBe(true);
  });

  it('zips exactly index.mjs, holding the bundle', async () => {
    // Act
    const entries = unzipSync(new Uint8Array(await readFile(first.zipPath)));

    // Assess
    expect(Object.keys(entries)).toEqual(['index.mjs']);
    expect(Buffer.from(entries['index.mjs'] ?? []).equals(await readFile(first.bundlePath))).toBe(
      true,
    );
  });

  it('keeps the bundle within 400 KB, with no unresolved require()', async () => {
    // Act
    const bundle = await readFile(first.bundlePath, 'utf8');

    // Assess
    expect(first.bundleBytes).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
    expect(bundle).not.toMatch(/Dynamic require of/);
  });

  it("takes credentials from the environment only, without the SDK's default chain", async () => {
    // Act
    const bundle = await readFile(first.bundlePath, 'utf8');

    // Assess: what Lambda sets is read; what only the rest of the chain reads is not bundled
    expect(bundle).toContain('AWS_SESSION_TOKEN');
    expect(bundle).not.toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    expect(bundle).not.toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
    expect(bundle).not.toContain('sso_start_url');
  });

  it('holds no native addon nor package built for one architecture: it runs as is on arm64', async () => {
    // Prepare
    const packageDirs = packageDirsOf(first.bundledFiles);
    const bundle = await readFile(first.bundlePath, 'utf8');

    // Act
    const addons = first.bundledFiles.filter((file) => file.endsWith('.node'));
    const specific = [];
    for (const dir of packageDirs) if (await isArchitectureSpecific(dir)) specific.push(dir);
    const loadedAtRunTime = [...bundle.matchAll(/__nodeRequire\((["'])(.*?)\1\)/g)].map(
      (match) => match[2] ?? '',
    );

    // Assess: the SDK's packages are in it, and none of them is native
    expect(packageDirs).toContain('node_modules/@aws-sdk/client-dynamodb');
    expect(addons).toEqual([]);
    expect(specific).toEqual([]);
    // At run time it loads Node's built-ins and nothing else (no .node file, no package).
    expect(loadedAtRunTime.length).toBeGreaterThan(0);
    expect(loadedAtRunTime.filter((name) => !isBuiltin(name))).toEqual([]);
    expect(bundle).not.toMatch(/\.node["'`]/);
  });

  it('loads Node built-ins through require(), so none is imported eagerly', async () => {
    // Act
    const bundle = await readFile(first.bundlePath, 'utf8');

    // Assess: the createRequire banner is the one ES import of a built-in
    expect(bundle.match(/from\s*["']node:[a-z_/]+["']/g)).toEqual(["from'node:module'"]);
  });

  it('stores a connection from a fresh Node process, reaching DynamoDB over http', async () => {
    // Prepare: the bundle as the local stack runs it, pointed at a real dynalite
    const dynamoDb = await startTestDynamoDb('connections');
    const script = `
      const { handler } = await import(${JSON.stringify(first.bundlePath)});
      const response = await handler({
        requestContext: { routeKey: '$connect', connectionId: 'bundle-1', requestId: 'r1', domainName: 'x', stage: 'prod' },
        headers: { Origin: 'http://localhost:5173' },
        isBase64Encoded: false,
      });
      process.stdout.write('RESULT ' + JSON.stringify(response));
    `;

    // Act
    let stdout: string;
    let item: Record<string, unknown> | undefined;
    try {
      ({ stdout } = await run(
        process.execPath,
        ['--no-warnings', '--input-type=module', '-e', script],
        {
          env: {
            PATH: process.env.PATH,
            TABLE_NAME: dynamoDb.tableName,
            ROOMS_TABLE_NAME: dynamoDb.roomsTableName,
            ALLOWED_ORIGINS: 'http://localhost:5173',
            AWS_REGION: TEST_REGION,
            AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
          },
        },
      ));
      const key = { connectionId: { S: 'bundle-1' } };
      item = (
        await dynamoDb.client.send(new GetItemCommand({ TableName: dynamoDb.tableName, Key: key }))
      ).Item;
    } finally {
      await dynamoDb.stop();
    }

    // Assess
    expect(stdout).toContain('"outcome":"connected"');
    expect(stdout).toContain('RESULT {"statusCode":200}');
    expect(item?.connectionId).toEqual({ S: 'bundle-1' });
  });
});

describe('buildAuthorizer', () => {
  it('gives a byte-identical zip of exactly index.mjs, beside the chat function in the same folder', async () => {
    // Act
    const [zipOne, zipTwo] = await Promise.all([
      readFile(authorizer.zipPath),
      readFile(authorizerAgain.zipPath),
    ]);
    const entries = unzipSync(new Uint8Array(zipOne));

    // Assess
    expect(zipOne.equals(zipTwo)).toBe(true);
    expect(Object.keys(entries)).toEqual(['index.mjs']);
    expect(path.relative(workDir, authorizer.zipPath)).toBe(path.join('one', 'authorizer.zip'));
    expect(path.relative(workDir, authorizer.bundlePath)).toBe(
      path.join('one', 'authorizer', 'index.mjs'),
    );
  });

  it('is small: aws-jwt-verify and no AWS SDK, nothing native, no unresolved require()', async () => {
    // Act
    const bundle = await readFile(authorizer.bundlePath, 'utf8');
    const packageDirs = packageDirsOf(authorizer.bundledFiles);

    // Assess
    expect(authorizer.bundleBytes).toBeLessThanOrEqual(AUTHORIZER_LIMIT_BYTES);
    expect(packageDirs).toEqual(['node_modules/aws-jwt-verify']);
    expect(bundle).not.toMatch(/Dynamic require of/);
  });

  it('authorizes a token from a fresh Node process, fetching the keys from a loopback issuer', async () => {
    // Prepare: an issuer on loopback, as the local stack runs one
    const keys = makeKeys();
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/jwks' ? 200 : 404);
      response.end(request.url === '/jwks' ? JSON.stringify(keys.jwks) : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = signToken(keys, claims({ iss: issuer, aud: 'local-client', name: 'Ada' }));
    const event = (protocols: string) => ({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:111122223333:abc123/prod/$connect',
      headers: { 'Sec-WebSocket-Protocol': protocols },
      queryStringParameters: { room: 'support', v: '3' },
      requestContext: { connectionId: 'bundle-1', requestId: 'r1' },
    });
    const script = `
      const { handler } = await import(${JSON.stringify(authorizer.bundlePath)});
      const allowed = await handler(${JSON.stringify(event(`awsome-chat, bearer.${token}`))});
      const refused = await handler(${JSON.stringify(event('awsome-chat, bearer.x.y.z'))}).catch((e) => e.message);
      process.stdout.write('RESULT ' + JSON.stringify({ allowed, refused }));
    `;

    // Act
    let stdout: string;
    try {
      ({ stdout } = await run(
        process.execPath,
        ['--no-warnings', '--input-type=module', '-e', script],
        {
          env: {
            PATH: process.env.PATH,
            AUTH_MODE: 'oidc',
            AUTH_ISSUER: issuer,
            AUTH_AUDIENCE: 'local-client',
            AUTH_JWKS_URI: `${issuer}/jwks`,
          },
        },
      ));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    // Assess
    const result = JSON.parse(stdout.slice(stdout.indexOf('RESULT ') + 7));
    expect(result.allowed).toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Allow' }] },
      context: { senderName: 'Ada', room: 'support', protocolVersion: '3' },
    });
    expect(result.refused).toBe('Unauthorized');
    expect(stdout).toContain('"outcome":"authorized"');
    expect(stdout).not.toContain(token);
  });
});

describe('zipDeterministically', () => {
  it('writes the same bytes in any time zone', async () => {
    // Prepare: zip in child processes under time zones on both sides of UTC
    const script = `
      const { zipDeterministically } = await import(${JSON.stringify(path.join(repoRoot, 'scripts/build-lambda.ts'))});
      const zip = zipDeterministically('index.mjs', new TextEncoder().encode('export const x = 1;'));
      process.stdout.write(Buffer.from(zip).toString('base64'));
    `;
    const zipIn = async (timeZone: string): Promise<string> => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: repoRoot,
          env: { ...process.env, TZ: timeZone },
        },
      );
      return stdout;
    };

    // Act
    const zips = await Promise.all(['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles'].map(zipIn));

    // Assess
    const local = Buffer.from(
      zipDeterministically('index.mjs', new TextEncoder().encode('export const x = 1;')),
    );
    expect(new Set(zips)).toEqual(new Set([local.toString('base64')]));
  });
});
