/**
 * The local stand-in for AWS Lambda: a pool of worker-thread "containers", each importing the
 * handler module once and running one invocation at a time, as Lambda execution environments do.
 * Workers isolate the stack from the handler: one that throws, hangs (terminated at the function
 * timeout) or calls `process.exit` is replaced, and the stack keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** How to run the function. */
export interface LambdaRunnerOptions {
  /** Path of the handler's ES module (absolute, or relative to the working directory). */
  readonly handlerPath: string;
  /** Name of the exported handler function. */
  readonly handlerExport: string;
  /** The function's whole environment: nothing of this process's environment leaks in. */
  readonly environment: Readonly<Record<string, string>>;
  /** The function timeout; a longer invocation is stopped and its container replaced. */
  readonly timeoutMs: number;
  /** Most containers alive at once, i.e. Lambda's concurrency limit for this function. */
  readonly maxConcurrency: number;
  readonly functionName: string;
  readonly region: string;
  readonly memoryLimitInMB: number;
  /**
   * Receives each line the function writes to stdout or stderr, as CloudWatch Logs would. Unset:
   * the lines go to this process's own stdout and stderr.
   */
  readonly onFunctionOutput?: (line: string) => void;
}

/** What one invocation ended with. */
export type InvocationOutcome =
  | { readonly ok: true; readonly result: unknown; readonly awsRequestId: string }
  | {
      readonly ok: false;
      /** e.g. `Error`, `Sandbox.Timedout`, `Runtime.ExitError`, `Runtime.HandlerNotFound`. */
      readonly errorType: string;
      readonly errorMessage: string;
      readonly awsRequestId: string;
    };

/** Thrown by {@link LambdaRunner.start} when the handler module cannot be loaded. */
export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
}

/** Messages the worker posts back (see lambda-worker.mjs). */
type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; errorType: string; errorMessage: string }
  | { type: 'result'; invocationId: number; result: unknown }
  | { type: 'error'; invocationId: number; errorType: string; errorMessage: string };

interface PendingInvocation {
  readonly invocationId: number;
  readonly event: unknown;
  readonly awsRequestId: string;
  readonly resolve: (outcome: InvocationOutcome) => void;
}

interface Container {
  readonly worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  current: PendingInvocation | undefined;
  timeout: NodeJS.Timeout | undefined;
}

const ACCOUNT_ID = '000000000000';
const WORKER_URL = new URL('./lambda-worker.mjs', import.meta.url);

/** A pool of isolated containers running one Lambda function. */
export class LambdaRunner {
  readonly #options: LambdaRunnerOptions;
  readonly #containers = new Set<Container>();
  readonly #queue: PendingInvocation[] = [];
  #nextInvocationId = 1;
  #stopped = false;

  constructor(options: LambdaRunnerOptions) {
    this.#options = options;
  }

  /**
   * Starts the first container so a broken handler path or export fails here, with a clear
   * message, rather than on the first connection.
   *
   * @throws HandlerLoadError when the module cannot be imported or lacks the export.
   */
  async start(): Promise<void> {
    const container = this.#spawn();
    await new Promise<void>((resolve, reject) => {
      container.worker.once('message', (message: WorkerMessage) => {
        if (message.type === 'init-error') {
          reject(
            new HandlerLoadError(
              `Cannot load handler ${this.#options.handlerExport} from ${this.#options.handlerPath}: ` +
                `${message.errorType}: ${message.errorMessage}`,
            ),
          );
        } else resolve();
      });
      container.worker.once('error', (error) =>
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
    return new Promise((resolve) => {
      this.#queue.push({ invocationId: this.#nextInvocationId++, event, awsRequestId, resolve });
      this.#dispatch();
    });
  }

  /** Terminates every container; queued invocations end as errors. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const pending of this.#queue.splice(0)) {
      pending.resolve(failure(pending, 'ServiceUnavailable', 'The local Lambda runner stopped'));
    }
    await Promise.all(
      [...this.#containers].map(async (container) => {
        this.#retire(container, 'ServiceUnavailable', 'The local Lambda runner stopped');
        await container.worker.terminate();
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
    const deadlineMs = Date.now() + this.#options.timeoutMs;
    container.timeout = setTimeout(() => {
      // Like Lambda, a timed-out environment is thrown away, with whatever it was doing.
      const seconds = (this.#options.timeoutMs / 1000).toFixed(2);
      this.#retire(container, 'Sandbox.Timedout', `Task timed out after ${seconds} seconds`);
      void container.worker.terminate();
      this.#dispatch();
    }, this.#options.timeoutMs);
    container.worker.postMessage({
      invocationId: pending.invocationId,
      event: pending.event,
      awsRequestId: pending.awsRequestId,
      deadlineMs,
    });
  }

  #spawn(): Container {
    const options = this.#options;
    const worker = new Worker(WORKER_URL, {
      workerData: {
        handlerUrl: pathToFileURL(options.handlerPath).href,
        handlerExport: options.handlerExport,
        typescript: /\.[cm]?tsx?$/.test(options.handlerPath),
        functionName: options.functionName,
        functionVersion: '$LATEST',
        memoryLimitInMB: String(options.memoryLimitInMB),
        region: options.region,
        accountId: ACCOUNT_ID,
      },
      env: { ...options.environment },
      // Handlers load in a clean worker; lambda-worker.mjs registers tsx itself for a .ts handler.
      execArgv: [],
      resourceLimits: {
        // Lambda caps the function's memory; a heap beyond it would hide a leak here. A small
        // young generation keeps each idle container's footprint low (the stack's memory target).
        maxOldGenerationSizeMb: options.memoryLimitInMB,
        maxYoungGenerationSizeMb: 8,
      },
      stdout: options.onFunctionOutput !== undefined,
      stderr: options.onFunctionOutput !== undefined,
    });
    if (options.onFunctionOutput !== undefined) {
      for (const stream of [worker.stdout, worker.stderr]) {
        createInterface({ input: stream }).on('line', options.onFunctionOutput);
      }
    }
    const container: Container = {
      worker,
      state: 'starting',
      current: undefined,
      timeout: undefined,
    };
    this.#containers.add(container);
    worker.on('message', (message: WorkerMessage) => this.#onMessage(container, message));
    // An uncaught error ends the worker; 'exit' follows and does the clean-up.
    worker.on('error', () => {});
    worker.on('exit', (code) => {
      this.#retire(
        container,
        'Runtime.ExitError',
        `Runtime exited with error: exit status ${code}`,
      );
      this.#dispatch();
    });
    return container;
  }

  #onMessage(container: Container, message: WorkerMessage): void {
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
        void container.worker.terminate();
        break;
      }
      case 'result':
      case 'error': {
        const pending = container.current;
        clearTimeout(container.timeout);
        container.current = undefined;
        container.state = 'idle';
        if (pending !== undefined && pending.invocationId === message.invocationId) {
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

  /** Takes a container out of the pool, failing what it was running. */
  #retire(container: Container, errorType: string, errorMessage: string): void {
    if (container.state === 'dead') return;
    container.state = 'dead';
    clearTimeout(container.timeout);
    this.#containers.delete(container);
    const pending = container.current;
    container.current = undefined;
    pending?.resolve(failure(pending, errorType, errorMessage));
  }
}

function failure(
  pending: PendingInvocation,
  errorType: string,
  errorMessage: string,
): InvocationOutcome {
  return { ok: false, errorType, errorMessage, awsRequestId: pending.awsRequestId };
}
