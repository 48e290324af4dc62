/**
 * Every test runs on Lambda's Node.js major version, which the project brings from npm: the
 * global setup refuses any other, package.json asks for that major, and this very file runs on it.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  LAMBDA_NODE_MAJOR,
  LAMBDA_RUNTIME,
  nodeMajorOf,
} from '../../../contract/lambda-runtime.ts';
import { requireLambdaNode, WrongNodeVersionError } from '../src/lambda-node.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface PackageJson {
  readonly version: string;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly allowScripts?: Readonly<Record<string, boolean>>;
}

async function packageJson(path: string): Promise<PackageJson> {
  return JSON.parse(await readFile(`${REPO_ROOT}${path}`, 'utf8')) as PackageJson;
}

describe('requireLambdaNode (the global setup)', () => {
  it("refuses another major version, naming it and Lambda's runtime", () => {
    // Prepare
    const older = `v${LAMBDA_NODE_MAJOR - 2}.20.2`;

    // Act
    const check = (): string => requireLambdaNode(older);

    // Assess
    expect(check).toThrow(WrongNodeVersionError);
    expect(check).toThrow(`The tests run on Node.js ${older}, but Lambda runs the function on`);
    expect(check).toThrow(LAMBDA_RUNTIME);
  });

  it("accepts any release of Lambda's major version and says which one runs", () => {
    expect(requireLambdaNode(`v${LAMBDA_NODE_MAJOR}.0.1`)).toBe(
      `Node.js v${LAMBDA_NODE_MAJOR}.0.1, the major version of Lambda's ${LAMBDA_RUNTIME}`,
    );
  });
});

describe("Lambda's Node.js for the tests", () => {
  it('runs this test file', () => {
    expect(nodeMajorOf(process.versions.node)).toBe(LAMBDA_NODE_MAJOR);
  });

  it('comes from npm: package.json asks for its major version and lets it install', async () => {
    // Act
    const project = await packageJson('package.json');
    const installed = await packageJson('node_modules/node/package.json');

    // Assess
    expect(project.devDependencies?.node).toMatch(new RegExp(`^\\^${LAMBDA_NODE_MAJOR}\\.`));
    expect(nodeMajorOf(installed.version)).toBe(LAMBDA_NODE_MAJOR);
    // The package's install script fetches the binary; without approval npm may skip it.
    expect(project.allowScripts?.node).toBe(true);
  });
});
