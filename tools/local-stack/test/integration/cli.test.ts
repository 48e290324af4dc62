/**
 * `npm start`'s command line, run as a real child process: help, bad flags, a port in use, a
 * user's own handler through --handler, and a clean stop on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR, LAMBDA_RUNTIME } from '../../../../contract/lambda-runtime.ts';
import { emfLine } from '../support/emf.ts';
import { FIXTURES, TestClient } from '../support/helpers.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
// tsx's own entry, started with this process's Node.js rather than the first `node` on PATH.
const TSX = fileURLToPath(new URL('../../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const FREE_PORTS = ['--http-port', '0', '--ws-port', '0', '--dynamo-port', '0', '--sqs-port', '0'];

/** A command line on free ports with the page fixture and `handler`. */
function stackArgs(handler: string, ...more: string[]): string[] {
  return [...FREE_PORTS, '--site', FIXTURES.site, '--handler', handler, ...more];
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startCli(args: readonly string[]): {
  child: ChildProcess;
  finished: Promise<Finished>;
  output: () => string;
} {
  const child = spawn(process.execPath, [TSX, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, finished, output: () => stdout };
}

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('npm start command line', () => {
  it('prints the help with every flag and exits 0', async () => {
    const { code, stdout } = await startCli(['--help']).finished;
    expect(code).toBe(0);
    for (const flag of [
      '--host',
      '--http-port',
      '--ws-port',
      '--dynamo-port',
      '--stage',
      '--handler',
      '--route',
      '--env',
      '--persist',
      '--site',
      '--idle-timeout',
      '--max-connection-duration',
      '--integration-timeout',
      '--function-timeout',
      '--concurrency',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it('refuses an unknown flag with a clear error and exit code 2', async () => {
    const { code, stderr } = await startCli(['--no-such-flag']).finished;
    expect(code).toBe(2);
    expect(stderr).toMatch(/^npm start: Unknown option '--no-such-flag'/);
    expect(stderr).toContain('--help');
  });

  it('refuses a malformed value', async () => {
    const { code, stderr } = await startCli(['--idle-timeout', 'soon']).finished;
    expect(code).toBe(2);
    expect(stderr).toContain("--idle-timeout must be a number greater than 0, got 'soon'");
  });

  it.each(['--http-port', '--ws-port', '--dynamo-port', '--sqs-port'])(
    'refuses a port in use (%s) with one clear line and a non-zero exit',
    async (flag) => {
      // Prepare
      const { server, port } = await occupyPort();
      const args = stackArgs(FIXTURES.plainHandler);
      args[args.indexOf(flag) + 1] = String(port);
      // Act
      const { code, stderr } = await startCli(args).finished;
      server.close();
      // Assess
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `npm start: Port ${port} on 127.0.0.1 is already in use. Stop the program using it or ` +
          `choose another port with ${flag} (0 picks a free one).`,
      );
    },
  );

  it('names every port in use at once, each with the flag that moves it', async () => {
    // Prepare: every port the stack listens on is taken
    const flags = ['--http-port', '--ws-port', '--dynamo-port', '--sqs-port'];
    const occupied = await Promise.all(flags.map(() => occupyPort()));
    const args = stackArgs(FIXTURES.plainHandler);
    for (const [index, flag] of flags.entries()) {
      args[args.indexOf(flag) + 1] = String(occupied[index]?.port);
    }
    // Act
    const { code, stderr } = await startCli(args).finished;
    for (const { server } of occupied) server.close();
    // Assess: one line, naming each port with its flag
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^npm start: 4 ports are already in use: /);
    for (const [index, flag] of flags.entries()) {
      expect(stderr).toContain(`${occupied[index]?.port} on 127.0.0.1 (${flag})`);
    }
    expect(stderr).toContain('0 picks a free one');
  });

  it('explains a handler module that cannot be loaded', async () => {
    const { code, stderr } = await startCli(stackArgs(FIXTURES.brokenHandler)).finished;
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot load handler handler from');
    expect(stderr).toContain('this module cannot load');
  });

  it('names a handler file that does not exist', async () => {
    const { code, stderr } = await startCli(stackArgs('/no/such/handler.mjs')).finished;
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('npm start: /no/such/handler.mjs does not exist.');
  });

  it('warns when --host opens the stack to other machines, and keeps DynamoDB on loopback', async () => {
    // Prepare
    const cli = startCli(stackArgs(`${FIXTURES.plainHandler}#greet`, '--host', '0.0.0.0'));
    let stderr = '';
    cli.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Act
    await expect.poll(cli.output, { timeout: 20_000 }).toContain('Press Ctrl-C to stop.');
    cli.child.kill('SIGTERM');
    await cli.finished;
    // Assess
    expect(stderr).toMatch(
      /^warning: --host 0\.0\.0\.0: the chat page and the WebSocket endpoint are open/m,
    );
    expect(cli.output()).toMatch(/Management endpoint: +http:\/\/127\.0\.0\.1:\d+\/prod/);
    expect(cli.output()).toMatch(/DynamoDB endpoint: +http:\/\/127\.0\.0\.1:\d+ /);
  });

  it("runs a user's handler with --handler FILE#EXPORT and --env, and stops cleanly on SIGTERM", async () => {
    // Prepare
    const cli = startCli(
      stackArgs(`${FIXTURES.plainHandler}#greet`, '--env', 'GREETER_NAME=the CLI test'),
    );
    await expect.poll(cli.output, { timeout: 20_000 }).toContain('Press Ctrl-C to stop.');
    const websocketUrl = /WebSocket URL: +(\S+)/.exec(cli.output())?.[1] as string;
    const pageUrl = /Chat page: +(\S+)/.exec(cli.output())?.[1] as string;
    expect(cli.output()).toMatch(/Management endpoint: +http:\/\/127\.0\.0\.1:\d+\/prod/);
    expect(cli.output()).toMatch(
      new RegExp(
        `Lambda containers: +Node\\.js v${LAMBDA_NODE_MAJOR}\\.\\d+\\.\\d+ ` +
          `\\(Lambda: ${LAMBDA_RUNTIME.replaceAll('.', '\\.')}\\), \\d+ MB at `,
      ),
    );
    // Act
    const client = await TestClient.connect(websocketUrl);
    client.sendJson({ message: 'hi' });
    const greeting = await client.frame(0);
    const configJs = await (await fetch(`${pageUrl}config.js`)).text();
    cli.child.kill('SIGTERM');
    const finished = await cli.finished;
    // Assess
    expect(greeting).toBe('hello from the CLI test');
    expect(configJs).toContain(`"websocketUrl":"${websocketUrl}"`);
    expect((await client.closed).code).toBe(1001);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain('Stopped.');
    expect(finished.stdout).toMatch(/MESSAGE|\$default/);
  });

  it("prints a line per metrics record and, when it stops, the metrics' summary", async () => {
    // Prepare
    const cli = startCli(stackArgs(FIXTURES.emfHandler));
    await expect.poll(cli.output, { timeout: 20_000 }).toContain('Press Ctrl-C to stop.');
    const websocketUrl = /WebSocket URL: +(\S+)/.exec(cli.output())?.[1] as string;
    const client = await TestClient.connect(websocketUrl);
    // Act
    client.sendJson({
      print: [
        emfLine(
          { Delivered: { value: 4 }, TimeToLastDelivery: { value: 12, unit: 'Milliseconds' } },
          { room: 'lobby' },
        ),
      ],
    });
    await expect.poll(cli.output, { timeout: 20_000 }).toContain('broadcast  room=lobby');
    cli.child.kill('SIGTERM');
    const finished = await cli.finished;
    // Assess
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} broadcast {2}room=lobby delivered=4 in 12 ms$/m,
    );
    expect(finished.stdout).not.toContain('"_aws"');
    expect(finished.stdout).toContain(
      'Summary: 1 metric records; delivered=4; time to last delivery p50 12 ms, p99 12 ms',
    );
  });
});
