/**
 * Lambda's Node.js runtime, named once in contract.json (`lambda.runtime`, which Terraform gives
 * the function): the bundle is built for its major version, and the tests, the local stack's
 * containers and the benchmarks run on it.
 */
import contract from './contract.json' with { type: 'json' };

/** The function's runtime identifier, e.g. `nodejs22.x`. */
export const LAMBDA_RUNTIME: string = contract.lambda.runtime;

/**
 * The Node.js major version of a Lambda runtime identifier.
 * @param runtime - a Node.js runtime identifier such as `nodejs22.x`
 * @returns its major version, e.g. 22
 * @throws Error when `runtime` is not a Node.js runtime identifier
 */
export function nodeMajorOfRuntime(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (match === null) {
    throw new Error(`'${runtime}' is not a Lambda Node.js runtime such as nodejs22.x`);
  }
  return Number(match[1]);
}

/** The Node.js major version Lambda runs the function on, e.g. 22. */
export const LAMBDA_NODE_MAJOR: number = nodeMajorOfRuntime(LAMBDA_RUNTIME);

/**
 * The major version of a Node.js version string.
 * @param version - `process.version` (`v22.23.3`) or `process.versions.node` (`22.23.3`)
 * @returns its major version, e.g. 22
 */
export function nodeMajorOf(version: string): number {
  return Number.parseInt(version.replace(/^v/, ''), 10);
}
