/**
 * `npm run dev-token` as a user runs it (a child process through tsx), against the real local
 * stack with `--auth`: it prints one token the stack's authorizer accepts, and words each of its
 * failures as one line, the way every command does.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_USERS } from '../../../tools/local-stack/src/dev-users.ts';
import type { LocalStack } from '../../../tools/local-stack/src/stack.ts';
import { TestClient } from '../../../tools/local-stack/test/support/helpers.ts';
import { startTestStack } from '../../../tools/local-stack/test/support/stack-setup.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = `${REPO_ROOT}node_modules/.bin/tsx`;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ auth: { issuerPort: 0 } });
});

afterAll(async () => {
  await stack?.stop();
});

/** Runs the command with `args`; resolves with its exit code and output, never rejects. */
function devToken(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['scripts/dev-token.ts', ...args],
      { cwd: REPO_ROOT },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run dev-token', () => {
  it('prints a token for a dev user that the local authorizer accepts', {
    timeout: 60_000,
  }, async () => {
    // Act
    const { code, stdout, stderr } = await devToken([
      '--user',
      'carol',
      '--issuer',
      stack.auth?.issuer ?? '',
    ]);
    // Assess: one line, a JWT, and the stack lets it connect
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const token = stdout.trim();
    expect(stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const client = await TestClient.connect(stack.websocketUrl, {}, [
      'awsome-chat',
      `bearer.${token}`,
    ]);
    expect(client.socket.protocol).toBe('awsome-chat');
    await client.close();
  });

  it('refuses an unknown user, naming the dev users', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await devToken([
      '--user',
      'mallory',
      '--issuer',
      stack.auth?.issuer ?? '',
    ]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      `npm run dev-token: unknown dev user 'mallory': the local issuer knows ${DEV_USERS.map((user) => user.username).join(', ')}.\n`,
    );
  });

  it('says how to start the issuer when none answers', { timeout: 60_000 }, async () => {
    const { code, stderr } = await devToken(['--user', 'alice', '--issuer', 'http://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^npm run dev-token: no local issuer answers at http:\/\/127\.0\.0\.1:1: start the chat with `npm start -- --auth`.*\n$/,
    );
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('wants --user, and names the same dev users as the issuer in its help', {
    timeout: 60_000,
  }, async () => {
    const missing = await devToken([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^npm run dev-token: --user NAME is required/);
    const help = await devToken(['--help']);
    expect(help.stdout).toContain(
      `(${DEV_USERS.map((user) => user.username)
        .join(', ')
        .replace(/, (\w+)$/, ' or $1')})`,
    );
  });
});
