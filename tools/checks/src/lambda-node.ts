/**
 * The tests prove what Lambda will run only on Lambda's Node.js: vitest's global setup
 * (vitest.config.ts) stops the whole run before any test when it was started on another major
 * version than the function's runtime (contract.json's `lambda.runtime`).
 */
import {
  LAMBDA_NODE_MAJOR,
  LAMBDA_RUNTIME,
  nodeMajorOf,
} from '../../../contract/lambda-runtime.ts';

/** The tests were started on a Node.js that is not Lambda's. */
export class WrongNodeVersionError extends Error {
  override readonly name = 'WrongNodeVersionError';
}

/**
 * Checks that a Node.js version has Lambda's major version.
 * @param version - a Node.js version, e.g. `process.version`
 * @returns a line saying which Node.js runs, for the run's output
 * @throws WrongNodeVersionError naming both versions and how to get Lambda's
 */
export function requireLambdaNode(version: string): string {
  if (nodeMajorOf(version) !== LAMBDA_NODE_MAJOR) {
    throw new WrongNodeVersionError(
      `The tests run on Node.js ${version}, but Lambda runs the function on ${LAMBDA_RUNTIME}. ` +
        `Start them through npm (\`npm test\`, or \`npx vitest\`), which runs the Node.js ` +
        `${LAMBDA_NODE_MAJOR} that \`npm ci\` installs in node_modules/.bin.`,
    );
  }
  return `Node.js ${version}, the major version of Lambda's ${LAMBDA_RUNTIME}`;
}

/** vitest's global setup: runs once, before any test file. */
export default function setup(): void {
  console.log(requireLambdaNode(process.version));
}
