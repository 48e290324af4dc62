/**
 * The local stand-in for AWS Lambda: a pool of "containers", child processes that each import
 * the handler module once and run one invocation at a time, as Lambda execution environments do.
 * A process per container keeps the stack safe from the handler (one that throws, hangs past the
 * function timeout or calls `process.exit` is replaced) and lets the stack hold each container to
 * the CPU share Lambda gives the function's memory (cpu-share.ts).
 *
 * Concurrency is bounded like a Lambda account's: at most `maxConcurrency` containers, and at
 * most `maxQueued` invocations waiting for one; beyond that an invocation is throttled with
 * Lambda's `TooManyRequestsException`, as an invocation over the concurrency quota is on AWS.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeMajorOfRuntime } from '../../../contract/lambda-runtime.ts';
import type { CpuLimiter } from './cpu-share.ts';

/** How to run the function. */
export interface LambdaRunnerOptions {
  /** Path of the handler's ES module (absolute, or relative to the working directory). */
  readonly handlerPath: string;
  /** Name of the exported handler function. */
  readonly handlerExport: string;
  /**
   * The function's Lambda runtime, e.g. `nodejs22.x`: a container on another Node.js major
   * version refuses to load the handler.
   */
  readonly runtime: string;
  /** The function's whole environment: nothing of this process's environment leaks in. */
  readonly environment: Readonly<Record<string, string>>;
  /** The function timeout; a longer invocation is stopped and its container replaced. */
  readonly timeoutMs: number;
  /** Most containers alive at once, i.e. Lambda's concurrency limit for this function. */
  readonly maxConcurrency: number;
  /** Most invocations waiting for a container; more are throttled. */
  readonly maxQueued: number;
  readonly functionName: string;
  readonly region: string;
  readonly memoryLimitInMB: number;
  /** Holds each container to the memory's CPU share; undefined runs them at full CPU. */
  readonly cpuLimiter?: CpuLimiter;
  /**
   * Receives each line the function writes to stdout or stderr, as CloudWatch Logs would. Unset:
   * the lines go to this process's own stdout and stderr.
   */
  readonly onFunctionOutput?: (line: string) => void;
  /**
   * Told of each invocation as a container starts it, with a way to kill that container while it
   * runs the invocation (tests' fault injection: stack.faults.killNextInvocation).
   */
  readonly onInvocationStart?: (event: unknown, running: RunningInvocation) => void;
}

/** An invocation a container is running. */
export interface RunningInvocation {
  /**
   * Kills the container (SIGKILL), as a crash of the execution environment would; the invocation
   * ends with `Runtime.ExitError`.
   * @returns false when the invocation had already ended, and nothing was killed
   */
  kill(): boolean;
}

/** What one invocation ended with. */
export type InvocationOutcome =
  | { readonly ok: true; readonly result: unknown; readonly awsRequestId: string }
  | {
      readonly ok: false;
      /** e.g. `Error`, `Sandbox.Timedout`, `Runtime.ExitError`, `TooManyRequestsException`. */
      readonly errorType: string;
      readonly errorMessage: string;
      readonly awsRequestId: string;
    };

/** What the runner has done so far, for benchmarks (Lambda bills duration by memory). */
export interface LambdaRunnerStats {
  /** Invocations that ran (not the throttled ones). */
  invocations: number;
  /** Their summed duration, each rounded up to 1 ms as Lambda bills it. */
  billedMs: number;
  /** CPU time the containers spent in invocations, in milliseconds. */
  cpuMs: number;
  /** Containers started (cold starts). */
  coldStarts: number;
  /** Invocations refused with TooManyRequestsException. */
  throttled: number;
  /** Invocations stopped at the function timeout. */
  timedOut: number;
  /** Most invocations running at once. */
  peakConcurrency: number;
}

/** Thrown by {@link LambdaRunner.start} when the handler module cannot be loaded. */
export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
}

/**
 * Thrown by {@link LambdaRunner.start} when the containers run another Node.js major version than
 * the function's runtime.
 */
export class WrongNodeVersionError extends Error {
  override readonly name = 'WrongNodeVersionError';
}

/** The init error a container answers with on another Node.js major (lambda-container.mjs). */
const WRONG_NODE_VERSION = 'Runtime.WrongNodeVersion';

/** Messages a container sends (see lambda-container.mjs). */
type ContainerMessage =
  | { type: 'ready'; nodeVersion: string }
  | { type: 'init-error'; errorType: string; errorMessage: string }
  | { type: 'result'; invocationId: number; result: unknown; cpuMicros: number }
  | {
      type: 'error';
      invocationId: number;
      errorType: string;
      errorMessage: string;
      cpuMicros: number;
    };

interface PendingInvocation {
  readonly invocationId: number;
  readonly event: unknown;
  readonly awsRequestId: string;
  readonly resolve: (outcome: InvocationOutcome) => void;
  startedAt: number;
}

interface Container {
  readonly process: ChildProcess;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  current: PendingInvocation | undefined;
  timeout: NodeJS.Timeout | undefined;
  /** Removes the container's CPU group once it has exited. */
  release: (() => Promise<void>) | undefined;
}

const ACCOUNT_ID = '000000000000';
const CONTAINER_PATH = fileURLToPath(new URL('./lambda-container.mjs', import.meta.url));

/** A pool of isolated containers running one Lambda function. */
export class LambdaRunner {
  readonly #options: LambdaRunnerOptions;
  readonly #containers = new Set<Container>();
  readonly #queue: PendingInvocation[] = [];
  readonly #stats: LambdaRunnerStats = {
    invocations: 0,
    billedMs: 0,
    cpuMs: 0,
    coldStarts: 0,
    throttled: 0,
    timedOut: 0,
    peakConcurrency: 0,
  };
  readonly #nodeMajor: number;
  #nextInvocationId = 1;
  #stopped = false;

  /** @throws Error when `options.runtime` is not a Lambda Node.js runtime such as nodejs22.x */
  constructor(options: LambdaRunnerOptions) {
    this.#options = options;
    this.#nodeMajor = nodeMajorOfRuntime(options.runtime);
  }

  /** A copy of the counters so far. */
  get stats(): LambdaRunnerStats {
    return { ...this.#stats };
  }

  /**
   * Starts the first container so a broken handler path or export fails here, with a clear
   * message, rather than on the first connection.
   *
   * @throws HandlerLoadError when the module cannot be imported or lacks the export;
   *   WrongNodeVersionError when the container runs another Node.js major than the runtime.
   * @returns the Node.js version the container runs, e.g. `v22.23.3`
   */
  start(): Promise<string> {
    const container = this.#spawn();
    return new Promise<string>((resolve, reject) => {
      const onMessage = (message: ContainerMessage): void => {
        if (message.type === 'init-error' && message.errorType === WRONG_NODE_VERSION) {
          reject(
            new WrongNodeVersionError(`The local stack cannot start: ${message.errorMessage}`),
          );
        } else if (message.type === 'init-error') {
          reject(
            new HandlerLoadError(
              `Cannot load handler ${this.#options.handlerExport} from ${this.#options.handlerPath}: ` +
                `${message.errorType}: ${message.errorMessage}`,
            ),
          );
        } else if (message.type === 'ready') resolve(message.nodeVersion);
        container.process.off('message', onMessage);
      };
      container.process.on('message', onMessage);
      container.process.once('error', (error) =>
        reject(
          new HandlerLoadError(`Cannot start the handler: ${error.message}`, { cause: error }),
        ),
      );
    });
  }

  /** Runs the function with `event`; never rejects (failures are outcomes, as in Lambda). */
  invoke(event: unknown): Promise<InvocationOutcome> {
    const awsRequestId = randomUUID();
    if (this.#stopped) {
      return Promise.resolve({
        ok: false,
        errorType: 'ServiceUnavailable',
        errorMessage: 'The local Lambda runner is stopped',
        awsRequestId,
      });
    }
    const free = [...this.#containers].some((container) => container.state === 'idle');
    const canGrow = this.#containers.size < this.#options.maxConcurrency;
    if (!free && !canGrow && this.#queue.length >= this.#options.maxQueued) {
      this.#stats.throttled++;
      return Promise.resolve({
        ok: false,
        errorType: 'TooManyRequestsException',
        errorMessage: 'Rate Exceeded.',
        awsRequestId,
      });
    }
    return new Promise((resolve) => {
      this.#queue.push({
        invocationId: this.#nextInvocationId++,
        event,
        awsRequestId,
        resolve,
        startedAt: 0,
      });
      this.#dispatch();
    });
  }

  /** Stops every container; queued invocations end as errors. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const pending of this.#queue.splice(0)) {
      pending.resolve(failure(pending, 'ServiceUnavailable', 'The local Lambda runner stopped'));
    }
    await Promise.all(
      [...this.#containers].map(async (container) => {
        const exited = new Promise((resolve) => container.process.once('exit', resolve));
        this.#retire(container, 'ServiceUnavailable', 'The local Lambda runner stopped');
        if (container.process.exitCode === null) container.process.kill('SIGKILL');
        await exited;
        await container.release?.();
      }),
    );
  }

  #dispatch(): void {
    if (this.#stopped) return;
    for (const container of this.#containers) {
      const next = container.state === 'idle' ? this.#queue.shift() : undefined;
      if (next !== undefined) this.#run(container, next);
    }
    const starting = [...this.#containers].filter((c) => c.state === 'starting').length;
    let toSpawn = Math.min(
      this.#queue.length - starting,
      this.#options.maxConcurrency - this.#containers.size,
    );
    for (; toSpawn > 0; toSpawn--) this.#spawn();
  }

  #run(container: Container, pending: PendingInvocation): void {
    container.state = 'busy';
    container.current = pending;
    pending.startedAt = performance.now();
    const busy = [...this.#containers].filter((c) => c.state === 'busy').length;
    this.#stats.peakConcurrency = Math.max(this.#stats.peakConcurrency, busy);
    const deadlineMs = Date.now() + this.#options.timeoutMs;
    container.timeout = setTimeout(() => {
      // Like Lambda, a timed-out environment is thrown away, with whatever it was doing.
      const seconds = (this.#options.timeoutMs / 1000).toFixed(2);
      this.#stats.timedOut++;
      this.#retire(container, 'Sandbox.Timedout', `Task timed out after ${seconds} seconds`);
      container.process.kill('SIGKILL');
      this.#dispatch();
    }, this.#options.timeoutMs);
    container.process.send({
      type: 'invoke',
      invocationId: pending.invocationId,
      event: pending.event,
      awsRequestId: pending.awsRequestId,
      deadlineMs,
    });
    this.#options.onInvocationStart?.(pending.event, {
      kill: () => {
        if (container.state === 'dead' || container.current !== pending) return false;
        container.process.kill('SIGKILL');
        return true;
      },
    });
  }

  #spawn(): Container {
    const options = this.#options;
    const typescript = /\.[cm]?tsx?$/.test(options.handlerPath);
    const child = fork(CONTAINER_PATH, [], {
      env: { ...options.environment },
      // Lambda caps the function's memory; a heap beyond it would hide a leak here.
      execArgv: [`--max-old-space-size=${options.memoryLimitInMB}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const container: Container = {
      process: child,
      state: 'starting',
      current: undefined,
      timeout: undefined,
      release: undefined,
    };
    this.#containers.add(container);
    this.#stats.coldStarts++;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      if (options.onFunctionOutput !== undefined) {
        createInterface({ input: stream }).on('line', options.onFunctionOutput);
      } else {
        stream.pipe(stream === child.stdout ? process.stdout : process.stderr);
      }
    }
    child.on('message', (message: ContainerMessage) => this.#onMessage(container, message));
    // A failure to start ends in 'exit' too, which does the clean-up.
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      this.#retire(
        container,
        'Runtime.ExitError',
        `Runtime exited with error: ${signal === null ? `exit status ${code}` : `signal: ${signal}`}`,
      );
      void container.release?.();
      this.#dispatch();
    });
    const init = {
      type: 'init',
      handlerUrl: pathToFileURL(options.handlerPath).href,
      handlerExport: options.handlerExport,
      typescript,
      runtime: options.runtime,
      nodeMajor: this.#nodeMajor,
      functionName: options.functionName,
      functionVersion: '$LATEST',
      memoryLimitInMB: String(options.memoryLimitInMB),
      region: options.region,
      accountId: ACCOUNT_ID,
    };
    // The CPU limit applies before the handler loads, so the cold start is held to it too.
    const limited = options.cpuLimiter?.limit(child.pid ?? -1);
    void (limited ?? Promise.resolve(undefined))
      .then((release) => {
        container.release = release;
      })
      .catch(() => {
        // The process may already be gone; it then runs (briefly) unlimited.
      })
      .finally(() => {
        if (container.state !== 'dead') child.send(init);
      });
    return container;
  }

  #onMessage(container: Container, message: ContainerMessage): void {
    if (container.state === 'dead') return;
    switch (message.type) {
      case 'ready':
        container.state = 'idle';
        break;
      case 'init-error': {
        // The module failed to load in this fresh container: the invocation it was started for
        // fails with that error, as Lambda reports an init failure to the invocation.
        const pending = this.#queue.shift();
        pending?.resolve(failure(pending, message.errorType, message.errorMessage));
        this.#retire(container, message.errorType, message.errorMessage);
        container.process.kill('SIGKILL');
        break;
      }
      case 'result':
      case 'error': {
        const pending = container.current;
        clearTimeout(container.timeout);
        container.current = undefined;
        container.state = 'idle';
        if (pending !== undefined && pending.invocationId === message.invocationId) {
          this.#count(pending, message.cpuMicros);
          pending.resolve(
            message.type === 'result'
              ? { ok: true, result: message.result, awsRequestId: pending.awsRequestId }
              : failure(pending, message.errorType, message.errorMessage),
          );
        }
        break;
      }
    }
    this.#dispatch();
  }

  #count(pending: PendingInvocation, cpuMicros: number): void {
    this.#stats.invocations++;
    this.#stats.billedMs += Math.ceil(performance.now() - pending.startedAt);
    this.#stats.cpuMs += cpuMicros / 1000;
  }

  /** Takes a container out of the pool, failing what it was running. */
  #retire(container: Container, errorType: string, errorMessage: string): void {
    if (container.state === 'dead') return;
    container.state = 'dead';
    clearTimeout(container.timeout);
    this.#containers.delete(container);
    const pending = container.current;
    container.current = undefined;
    if (pending !== undefined) {
      // A timed-out or crashed invocation is billed to the end, as on Lambda.
      this.#count(pending, 0);
      pending.resolve(failure(pending, errorType, errorMessage));
    }
  }
}

function failure(
  pending: PendingInvocation,
  errorType: string,
  errorMessage: string,
): InvocationOutcome {
  return { ok: false, errorType, errorMessage, awsRequestId: pending.awsRequestId };
}
