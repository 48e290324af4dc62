/**
 * Finds and runs `moto_server`, moto's stand-alone server of the AWS APIs
 * (https://docs.getmoto.org/en/latest/docs/server_mode.html), on a free loopback port. Tests use it
 * as an AWS that answers with AWS's own response shapes, in memory, for free.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** What to tell a user whose machine has no moto_server. */
export const MOTO_INSTALL_HINT =
  'Install moto 5 with its server (`pip install "moto[server]>=5"`, which puts moto_server on ' +
  'the PATH) or set MOTO_SERVER to its path.';

/** A running moto_server. */
export interface MotoServer {
  /** Its base URL, e.g. `http://127.0.0.1:41767`. */
  readonly endpoint: string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Finds moto_server: MOTO_SERVER, else the PATH.
 * @returns its path, or `null` when there is none
 */
export async function findMotoServer(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const candidates = env.MOTO_SERVER
    ? [env.MOTO_SERVER]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'moto_server'));
  for (const candidate of candidates) {
    // A version manager's shim may exist where moto itself is not installed: it must answer -h.
    if ((await isExecutable(candidate)) && (await answersHelp(candidate))) return candidate;
  }
  return null;
}

/**
 * Starts moto_server on a port the OS picks and waits until it says where it listens.
 * @param bin - the moto_server executable
 * @param settings - moto's settings read from the environment (moto/settings.py), e.g.
 *   `{ MOTO_ACM_VALIDATION_WAIT: '0' }`
 * @throws Error when it exits or says nothing within 30 s
 */
export function startMotoServer(
  bin: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<MotoServer> {
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...settings },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`moto_server ${reason}. Its output:\n${output.trim()}`));
    };
    const timer = setTimeout(() => fail('did not start within 30 s'), START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.stdout?.off('data', onOutput);
      child.stderr?.off('data', onOutput);
      // Keep draining its request log, or a full pipe would block the server.
      child.stdout?.resume();
      child.stderr?.resume();
      child.off('exit', onExit);
      resolve({ endpoint: `http://127.0.0.1:${port}`, stop: () => stopProcess(child) });
    };
    const onExit = (code: number | null): void => fail(`exited with code ${code}`);
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function answersHelp(bin: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(bin, ['-h'], { timeout: START_TIMEOUT_MS }, (error) => resolve(error === null));
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
