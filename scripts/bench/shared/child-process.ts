/**
 * The one way the bench runs a piece in its own Node.js process: the servers under test, so their
 * memory is their own, and stand-ins for AWS services, which run on other machines on AWS and
 * must not share an event loop with the code they serve.
 *
 * A module becomes a child by calling {@link runAsChild} at its top level; the parent starts it
 * with {@link startChild}. Over the IPC channel the child says `ready` (with whatever fields the
 * parent needs, such as a URL) or why it `failed`, answers named requests, and stops when asked
 * or when the parent goes away. Arguments are checked before anything starts: a malformed one
 * ends the child with a one-line reason, never a stack trace.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fields of a child's message: JSON values only, since it crosses the IPC channel. */
export type ChildFields = Readonly<Record<string, unknown>>;

/** A child process started by {@link startChild}. */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** The fields the child sent with its `ready` message. */
  readonly ready: ChildFields;
  /**
   * Asks the child one of its named requests.
   * @param name - a key of the child's `answers`
   * @returns the fields of its answer
   */
  request(name: string): Promise<ChildFields>;
  /** Asks the child to stop and waits for it to exit; one that ignores the request is killed. */
  stop(): Promise<void>;
}

/** How to start a child. */
export interface StartChildOptions {
  /** The module that calls {@link runAsChild}, e.g. `import.meta.url`; run through tsx. */
  readonly module: string;
  readonly args: readonly string[];
  /** What the child is, for error messages: e.g. `the local stack`. */
  readonly name: string;
  /** `ignore` for a child whose own log lines would flood the report; its errors still show. */
  readonly stdout?: 'inherit' | 'ignore';
  /** Default 60 s: the local stack starts DynamoDB and its Lambda containers first. */
  readonly startTimeoutMs?: number;
  /** How long a child may take to stop before it is killed. Default 10 s. */
  readonly stopTimeoutMs?: number;
}

/** What a child module runs once its arguments are read. */
export interface ChildService {
  /** Sent to the parent with `ready`. */
  readonly ready: ChildFields;
  /** Named requests the parent may send, each answered with the returned fields. */
  readonly answers?: Readonly<Record<string, () => ChildFields>>;
  stop(): Promise<void>;
}

/** A malformed child argument; its message is all the parent is shown. */
export class ChildArgumentError extends Error {
  override readonly name = 'ChildArgumentError';
}

/** The child's arguments, read by position, each checked as it is read. */
export class ChildArguments {
  readonly #values: readonly string[];

  constructor(values: readonly string[]) {
    this.#values = values;
  }

  /**
   * @param index - position among the child's arguments
   * @param name - what the argument means, for the error message
   * @param choices - the values it may take
   * @returns the argument
   * @throws ChildArgumentError when it is missing or not one of `choices`
   */
  choice<T extends string>(index: number, name: string, choices: readonly T[]): T {
    const value = this.#read(index, name);
    if (!(choices as readonly string[]).includes(value)) {
      throw new ChildArgumentError(`${name} must be one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  }

  /**
   * @returns the argument as a number of at least `min`
   * @throws ChildArgumentError when it is missing, not a finite number, or below `min`
   */
  number(index: number, name: string, min: number): number {
    const raw = this.#read(index, name);
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min) {
      throw new ChildArgumentError(`${name} must be a number of at least ${min}, got '${raw}'`);
    }
    return value;
  }

  /**
   * @returns the argument when it matches `pattern`
   * @throws ChildArgumentError when it is missing or does not match
   */
  text(index: number, name: string, pattern: RegExp): string {
    const value = this.#read(index, name);
    if (!pattern.test(value)) {
      throw new ChildArgumentError(`${name} must match ${pattern}, got '${value}'`);
    }
    return value;
  }

  #read(index: number, name: string): string {
    const value = this.#values[index];
    if (value === undefined) throw new ChildArgumentError(`${name} is missing`);
    return value;
  }
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Starts a child module in a fresh Node.js process and waits until it is ready.
 * @param options - the module, its arguments and how to treat it
 * @returns the running child
 * @throws Error naming the child when it fails, exits or times out before it is ready
 */
export async function startChild(options: StartChildOptions): Promise<ChildHandle> {
  const child = fork(fileURLToPath(options.module), [...options.args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  let ready: ChildFields;
  try {
    const message = await nextMessage(child, options.name, {
      accept: (candidate) => candidate.type === 'ready' || candidate.type === 'failed',
      timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      before: 'it was ready',
      timedOut: 'start',
    });
    if (message.type === 'failed') {
      throw new Error(`${options.name} failed to start: ${String(message.reason)}`);
    }
    ready = fieldsOf(message);
  } catch (error) {
    // A child that failed exits by itself; one that hangs in its start-up must not linger.
    child.kill('SIGKILL');
    throw error;
  }
  let nextRequestId = 1;
  return {
    pid: child.pid,
    ready,
    async request(name) {
      const id = nextRequestId++;
      child.send({ type: 'request', id, name });
      const answer = await nextMessage(child, options.name, {
        accept: (candidate) => candidate.type === 'answer' && candidate.id === id,
        timeoutMs: REQUEST_TIMEOUT_MS,
        before: `it answered '${name}'`,
        timedOut: `answer '${name}'`,
      });
      if (typeof answer.error === 'string') throw new Error(`${options.name}: ${answer.error}`);
      return fieldsOf(answer);
    },
    stop: () => stopChild(child, options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS),
  };
}

/**
 * Runs `start` as a child service when `moduleUrl` is the module this process was started with;
 * does nothing when the module is merely imported (by the parent, or a test).
 * @param moduleUrl - the calling module's `import.meta.url`
 * @param name - what the child is, for a message on stderr when it is run without a parent
 * @param start - reads the arguments and starts the service
 */
export function runAsChild(
  moduleUrl: string,
  name: string,
  start: (args: ChildArguments) => Promise<ChildService>,
): void {
  const main = process.argv[1];
  if (main === undefined || path.resolve(main) !== fileURLToPath(moduleUrl)) return;
  void serveParent(name, start);
}

async function serveParent(
  name: string,
  start: (args: ChildArguments) => Promise<ChildService>,
): Promise<void> {
  let service: ChildService;
  try {
    service = await start(new ChildArguments(process.argv.slice(2)));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.send === undefined) process.stderr.write(`${name}: ${reason}\n`);
    else process.send({ type: 'failed', reason });
    process.exit(error instanceof ChildArgumentError ? 2 : 1);
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await service.stop().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'stop') void stop();
    if (message.type !== 'request') return;
    const answer = service.answers?.[String(message.name)];
    process.send?.(
      answer === undefined
        ? { type: 'answer', id: message.id, error: `no request named '${String(message.name)}'` }
        : { type: 'answer', id: message.id, fields: answer() },
    );
  });
  // Never outlive the parent (e.g. after a second Ctrl-C closed the channel).
  process.on('disconnect', () => void stop());
  // The terminal's Ctrl-C reaches the whole process group; the parent decides when to stop.
  process.on('SIGINT', () => {});
  process.send?.({ type: 'ready', fields: service.ready });
}

/**
 * Asks a child to stop and waits for it to exit; one that ignores the request is killed after
 * `timeoutMs`, so stopping is always bounded.
 */
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

type Message = Readonly<Record<string, unknown>> & { readonly type: unknown };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && 'type' in value;
}

function fieldsOf(message: Message): ChildFields {
  const { fields } = message;
  return typeof fields === 'object' && fields !== null ? (fields as ChildFields) : {};
}

/** Waits for the child's next message that `accept` takes; rejects if it exits or times out. */
function nextMessage(
  child: ChildProcess,
  name: string,
  wait: {
    accept: (message: Message) => boolean;
    timeoutMs: number;
    /** Completes "exited before ...". */
    before: string;
    /** Completes "did not ... within". */
    timedOut: string;
  },
): Promise<Message> {
  return new Promise((resolve, reject) => {
    const cleanUp = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      if (!isMessage(message) || !wait.accept(message)) return;
      cleanUp();
      resolve(message);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanUp();
      const how = signal === null ? `with code ${code}` : `on ${signal}`;
      reject(new Error(`${name} exited ${how} before ${wait.before}`));
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`${name} did not ${wait.timedOut} within ${wait.timeoutMs / 1000} s`));
    }, wait.timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
