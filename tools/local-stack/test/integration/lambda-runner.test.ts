/**
 * The local Lambda's containers run Lambda's Node.js major version, say which release they run,
 * and refuse to load the handler on any other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR, LAMBDA_RUNTIME } from '../../../../contract/lambda-runtime.ts';
import { LambdaRunner, WrongNodeVersionError } from '../../src/lambda-runner.ts';
import { FIXTURES } from '../support/helpers.ts';

const runners: LambdaRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

/** A runner of the plain fixture handler for `runtime`, stopped after the test. */
function runnerFor(runtime: string): LambdaRunner {
  const runner = new LambdaRunner({
    handlerPath: FIXTURES.plainHandler,
    handlerExport: 'greet',
    runtime,
    environment: {},
    timeoutMs: 10_000,
    maxConcurrency: 1,
    maxQueued: 1,
    functionName: 'runtime-test',
    region: 'us-east-1',
    memoryLimitInMB: 128,
    onFunctionOutput: () => {},
  });
  runners.push(runner);
  return runner;
}

describe("the local Lambda's Node.js", () => {
  it("starts its containers on Lambda's major version and says which release", async () => {
    // Act
    const nodeVersion = await runnerFor(LAMBDA_RUNTIME).start();

    // Assess
    expect(nodeVersion).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.\\d+\\.\\d+$`));
  });

  it('refuses to load the handler when the runtime is another major version', async () => {
    // Prepare: the containers run this process's Node.js; the runtime asks for an older one
    const runtime = `nodejs${LAMBDA_NODE_MAJOR - 2}.x`;
    const runner = runnerFor(runtime);

    // Act
    const started = runner.start();

    // Assess
    await expect(started).rejects.toThrow(WrongNodeVersionError);
    await expect(started).rejects.toThrow(
      `The local stack cannot start: this Lambda container runs Node.js ${process.version}, ` +
        `but the function's runtime is ${runtime}. Start the local stack through npm`,
    );
  });

  it('fails each invocation of a container on another major version, never running it', async () => {
    // Prepare
    const runner = runnerFor(`nodejs${LAMBDA_NODE_MAJOR + 2}.x`);

    // Act
    const outcome = await runner.invoke({ requestContext: { eventType: 'MESSAGE' } });

    // Assess
    expect(outcome).toMatchObject({ ok: false, errorType: 'Runtime.WrongNodeVersion' });
    expect(runner.stats.invocations).toBe(0);
  });

  it('refuses a runtime that is not Node.js', () => {
    expect(() => runnerFor('python3.12')).toThrow(/'python3\.12' is not a Lambda Node\.js runtime/);
  });
});
