/**
 * `npm run test:deployed`, the way a user runs it against AWS, run here against a local stack
 * given only by its URLs, so the deployed path itself is tested with every `npm test`: it must
 * pass, and say which tests it skipped and why. The runner's AWS "credentials" and the endpoint of
 * the connections table come from the SDK's ordinary environment variables, as they may on AWS.
 *
 * Two things stand in for AWS: the local stack counts 127.0.0.1 as nobody, so the suite's clients
 * connect from 127.0.0.2 (`--client-address`) and are one person to it, as all of a runner's are on
 * AWS; and with sign-in on, the tokens are the local issuer's dev users', given as a user gives
 * theirs (BEHAVIOUR_ID_TOKEN).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signInDevUser } from '../../../../scripts/lib/dev-sign-in.ts';
import { LOCAL_CREDENTIALS } from '../../../local-stack/src/dynamodb.ts';
import { type LocalStack, startLocalStack } from '../../../local-stack/src/stack.ts';
import { LOCAL_CLIENT_ADDRESS } from '../../src/local-target.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** What a command printed, and how it ended. */
interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs `npm run test:deployed -- …` against a stack, with the SDK's environment pointed at it and
 * nothing of this test run's own vitest or suite settings.
 */
function testDeployed(
  stack: LocalStack,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Finished> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|BEHAVIOUR_)/.test(name)),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npm',
      [
        'run',
        'test:deployed',
        '--',
        '--url',
        stack.websocketUrl,
        '--site',
        stack.pageUrl,
        '--table',
        stack.tableName,
        '--client-address',
        LOCAL_CLIENT_ADDRESS,
        ...args,
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...inherited,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_REGION: stack.region,
          AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
          NO_COLOR: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The report's list of skipped tests: each test's line, then its reason. */
function skippedOf(output: string): { test: string; reason: string }[] {
  const list = /Skipped \d+ tests?, and why:\n((?: {2}- .*\n {4}.*\n)+)/.exec(output)?.[1] ?? '';
  const lines = list.trimEnd().split('\n');
  const skipped: { test: string; reason: string }[] = [];
  for (let index = 0; index + 1 < lines.length; index += 2) {
    skipped.push({
      test: (lines[index] ?? '').replace(/^ {2}- /, ''),
      reason: (lines[index + 1] ?? '').trim(),
    });
  }
  return skipped;
}

describe('npm run test:deployed against the local stack by its URLs', () => {
  it('passes, and lists each test it skipped with the reason', { timeout: 900_000 }, async () => {
    // Prepare
    const stack = await startLocalStack({
      httpPort: 0,
      wsPort: 0,
      dynamoPort: 0,
      sqsPort: 0,
      log: () => {},
    });
    try {
      // Act
      const run = await testDeployed(stack, []);

      // Assess: it passed; the only tests skipped are the local stack's levers and sign-in
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain(`Testing the deployed stack at ${stack.websocketUrl}`);
      const skipped = skippedOf(run.output);
      expect(skipped.map((test) => test.reason).toSorted()).toEqual([
        'needs fault injection, which only the local stack has (stack.faults)',
        "needs the function's metrics as the local stack sums them (stack.metrics())",
        "needs to set the function's environment, which only the local stack can do",
        'sign-in is off on this stack (its config.js has no auth)',
        'sign-in is off on this stack (its config.js has no auth)',
        'sign-in is off on this stack (its config.js has no auth)',
      ]);
      expect(skipped.map((test) => test.test)).toContainEqual(
        expect.stringMatching(/^tools\/behaviour\/suite\/protocol\.test\.ts > .*commit failed/),
      );
      expect(run.output).toMatch(/This run used \d+ messages sent and \d+ received/);
    } finally {
      await stack.stop();
    }
  });

  it('signs in with the ID tokens a user gives, when the stack has sign-in on', {
    timeout: 300_000,
  }, async () => {
    // Prepare: a stack with sign-in, and two users' tokens from its issuer
    const stack = await startLocalStack({
      httpPort: 0,
      wsPort: 0,
      dynamoPort: 0,
      sqsPort: 0,
      auth: { issuerPort: 0 },
      log: () => {},
    });
    try {
      const issuer = stack.auth?.issuer ?? '';
      const [alice, bob] = await Promise.all([
        signInDevUser(issuer, 'alice'),
        signInDevUser(issuer, 'bob'),
      ]);

      // Act
      const run = await testDeployed(stack, ['--only', 'sign-in'], {
        BEHAVIOUR_ID_TOKEN: alice.idToken,
        BEHAVIOUR_ID_TOKEN_2: bob.idToken,
      });

      // Assess: the sign-in tests ran, none skipped
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/Tests +3 passed \(3\)/);
      expect(run.output).toContain('Skipped no test.');
    } finally {
      await stack.stop();
    }
  });
});
