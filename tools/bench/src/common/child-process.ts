/**
 * The one way the bench runs a piece in its own Node.js process: the servers under test, so their
 * memory is their own, and stand-ins for AWS services, which must not share an event loop with
 * the code they serve. A module becomes a child by calling {@link runAsChild} at its top level;
 * the parent starts it with {@link startChild}. Over IPC the child says `ready` (with fields such
 * as its URL) or why it `failed`, answers named requests, and stops when asked or when the parent
 * goes away. A malformed argument ends the child with a one-line reason, never a stack trace.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A message between parent and child, or its fields: JSON values only. */
export type ChildFields = Readonly<Record<string, unknown>>;

/** A running child. */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** The fields the child sent with `ready`. */
  readonly ready: ChildFields;
  /**
   * Asks the child one of its named `answers`, with what that answer needs to know (JSON);
   * `T` is the shape the answer has (IPC is JSON).
   */
  request<T = ChildFields>(name: string, argument?: ChildFields): Promise<T>;
  /** Asks the child to stop and waits until it exits; one that does not is killed. */
  stop(): Promise<void>;
}

/** How to start a child. */
export interface StartChildOptions {
  /** The `import.meta.url` of a module that calls {@link runAsChild}; run through tsx. */
  readonly module: string;
  readonly args: readonly string[];
  /** What the child is, for error messages: e.g. `the local stack`. */
  readonly name: string;
  /** `ignore` for a child whose log lines would flood the report; its errors still show. */
  readonly stdout?: 'inherit' | 'ignore';
  /** How long a child may take to stop before it is killed. Default 10 s. */
  readonly stopTimeoutMs?: number;
}

/** What a child runs once its arguments are read. */
export interface ChildService {
  readonly ready: ChildFields;
  /** Named answers; each gets the request's argument (`{}` when none was given). */
  readonly answers?: Readonly<Record<string, (argument: ChildFields) => ChildFields>>;
  stop(): Promise<void>;
}

/** A malformed child argument; its message is all anyone is shown. */
export class ChildArgumentError extends Error {
  override readonly name = 'ChildArgumentError';
}

/**
 * Checks that a child argument is one of `choices`.
 * @throws ChildArgumentError naming the argument, what it may be and what it was
 */
export function choiceArgument<T extends string>(
  value: string | undefined,
  name: string,
  choices: readonly T[],
): T {
  if ((choices as readonly (string | undefined)[]).includes(value)) return value as T;
  throw new ChildArgumentError(`${name} must be one of ${choices.join(', ')}, got ${shown(value)}`);
}

/**
 * Reads a child argument as a number of at least `min`.
 * @throws ChildArgumentError naming the argument, what it may be and what it was
 */
export function numberArgument(value: string | undefined, name: string, min: number): number {
  const number = Number(value);
  if (value?.trim() && Number.isFinite(number) && number >= min) return number;
  throw new ChildArgumentError(`${name} must be a number of at least ${min}, got ${shown(value)}`);
}

function shown(value: string | undefined): string {
  return value === undefined ? 'nothing' : `'${value}'`;
}

// The local stack starts DynamoDB and its Lambda containers before it is ready.
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Starts a child module in a fresh Node.js process and waits until it is ready.
 * @param options - the module, its arguments and how to treat it
 * @returns the running child
 * @throws Error naming the child when it fails, exits or hangs before it is ready
 */
export async function startChild(options: StartChildOptions): Promise<ChildHandle> {
  const { name } = options;
  const child = fork(fileURLToPath(options.module), [...options.args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  const started = await reply(child, name, 'start', START_TIMEOUT_MS, (message) =>
    ['ready', 'failed'].includes(String(message.type)),
  ).catch((error: unknown) => {
    child.kill('SIGKILL'); // it must not linger half-started
    throw error;
  });
  if (started.type === 'failed') throw new Error(`${name} failed to start: ${started.reason}`);
  let lastId = 0;
  return {
    pid: child.pid,
    ready: fieldsOf(started),
    async request<T>(request: string, argument: ChildFields = {}): Promise<T> {
      const id = ++lastId;
      child.send({ type: 'request', id, name: request, argument });
      const answer = await reply(child, name, `answer '${request}'`, REQUEST_TIMEOUT_MS, (m) =>
        Boolean(m.type === 'answer' && m.id === id),
      );
      if (answer.error !== undefined) throw new Error(`${name}: ${answer.error}`);
      return fieldsOf(answer) as T;
    },
    stop: () => stopChild(child, options.stopTimeoutMs ?? 10_000),
  };
}

/**
 * Serves the parent with `start`'s service when `moduleUrl` is the module this process was
 * started with; does nothing when the module is merely imported (by the parent, or a test).
 * @param moduleUrl - the calling module's `import.meta.url`
 * @param name - what the child is, for stderr when it runs without a parent
 * @param start - checks the arguments and starts the service
 */
export function runAsChild(
  moduleUrl: string,
  name: string,
  start: (args: readonly string[]) => Promise<ChildService>,
): void {
  const main = process.argv[1];
  if (main !== undefined && path.resolve(main) === fileURLToPath(moduleUrl)) {
    start(process.argv.slice(2)).then(serveParent, (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (process.send === undefined) process.stderr.write(`${name}: ${reason}\n`);
      else process.send({ type: 'failed', reason });
      process.exit(error instanceof ChildArgumentError ? 2 : 1);
    });
  }
}

function serveParent(service: ChildService): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await service.stop().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: ChildFields) => {
    if (message.type === 'stop') void stop();
    if (message.type !== 'request') return;
    const answer = service.answers?.[String(message.name)];
    const argument = fieldsOf({ fields: message.argument });
    let reply: ChildFields = { error: `no request named '${String(message.name)}'` };
    try {
      if (answer) reply = { fields: answer(argument) };
    } catch (error) {
      // A request the child cannot act on (a fault that makes no sense) is the parent's error.
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    process.send?.({ type: 'answer', id: message.id, ...reply });
  });
  // Never outlive the parent (e.g. after a second Ctrl-C closed the channel).
  process.on('disconnect', () => void stop());
  // The terminal's Ctrl-C reaches the whole process group; the parent decides when to stop.
  process.on('SIGINT', () => {});
  process.send?.({ type: 'ready', fields: service.ready });
}

/** Bounded: a child that ignores the stop request is killed after `timeoutMs`. */
function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill();
  });
}

function fieldsOf(message: ChildFields): ChildFields {
  const { fields } = message;
  return typeof fields === 'object' && fields !== null ? (fields as ChildFields) : {};
}

/** The child's next message that `accept` takes; rejects when it exits or takes too long. */
function reply(
  child: ChildProcess,
  name: string,
  awaited: string,
  timeoutMs: number,
  accept: (message: ChildFields) => boolean,
): Promise<ChildFields> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit);
      outcome();
    };
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && accept(message as ChildFields)) {
        settle(() => resolve(message as ChildFields));
      }
    };
    const onExit = (code: number | null, signal: string | null): void =>
      settle(() =>
        reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before its ${awaited}`)),
      );
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${name}: no ${awaited} within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    child.on('message', onMessage).once('exit', onExit);
  });
}
