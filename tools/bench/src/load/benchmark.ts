/**
 * The load benchmark: the same clients and messages against two baselines, the bare `ws`
 * broadcast server (the lower bound) and the naive handler on the local stack (a first design),
 * then against our stack, each in its own child process so its memory is its own; or, with
 * `--url`, against a deployed stack only.
 */

import type { TreeMemory } from '../common/process-memory.ts';
import type { Progress } from '../common/progress.ts';
import type { BenchOptions } from '../options.ts';
import type { LoadRunResult } from './generator.ts';
import { runLoad } from './generator.ts';
import type { ServerProcess, ServerTarget } from './server.ts';
import { SERVER_NAMES, startServerProcess } from './server.ts';

/** Which server a load run measured. */
export type LoadTargetName = ServerTarget | 'deployed';

/** One server's figures at one client count. */
export interface LoadTargetResult {
  readonly target: LoadTargetName;
  readonly run: LoadRunResult;
  /** The server's RSS once every client was connected, before any message (bytes); none remote. */
  readonly idleRssBytes?: number | undefined;
  /** Of `idleRssBytes`: the local stack's Lambda containers (processes, each its own runtime). */
  readonly idleContainers?: { readonly count: number; readonly bytes: number } | undefined;
  /** The server's highest RSS during the whole run (bytes). */
  readonly peakRssBytes?: number | undefined;
}

/** Every server's figures at one client count. */
export interface LoadBenchmarkResult {
  readonly clients: number;
  readonly targets: readonly LoadTargetResult[];
  /** Servers that could not be measured, with why; the others' figures still stand. */
  readonly errors: readonly string[];
}

/** Lets the just-connected sockets' buffers settle before the idle memory sample. */
const IDLE_SETTLE_MS = 1000;

/**
 * Runs the load benchmark at one client count.
 * @param options - the parsed flags
 * @param clients - how many clients this round connects
 * @param signal - Ctrl-C
 * @param progress - where to report progress
 * @returns each server's figures (the baselines first), as far as the run got
 */
export async function runLoadBenchmark(
  options: BenchOptions,
  clients: number,
  signal: AbortSignal,
  progress: Progress,
): Promise<LoadBenchmarkResult> {
  // The flags carry the run's settings under the generator's own names.
  const common = { ...options, clients, signal, progress };
  if (options.url !== undefined) {
    progress.log(`Load: ${clients} clients against ${options.url}`);
    const run = await runLoad({
      ...common,
      websocketUrl: options.url,
      origin: options.origin,
      label: 'deployed',
    });
    return { clients, targets: [{ target: 'deployed', run }], errors: [] };
  }
  const targets: LoadTargetResult[] = [];
  const errors: string[] = [];
  const serverTargets: ServerTarget[] = options.baseline ? ['bare', 'naive', 'stack'] : ['stack'];
  for (const target of serverTargets) {
    if (signal.aborted) break;
    progress.log(`Load: starting ${SERVER_NAMES[target]}`);
    let server: ServerProcess;
    try {
      server = await startServerProcess(target);
    } catch (error) {
      // The baseline's figures are still worth printing when the stack cannot start.
      errors.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    let idle: TreeMemory | undefined;
    try {
      const run = await runLoad({
        ...common,
        websocketUrl: server.websocketUrl,
        // Browsers send their page's origin; the stack may check it against its allow-list.
        origin: options.origin ?? server.pageOrigin,
        label: target === 'bare' ? 'bare ws' : target,
        onAllConnected: async () => {
          await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
          idle = server.sampleMemory();
        },
      });
      targets.push({
        target,
        run,
        idleRssBytes: idle?.totalBytes,
        idleContainers:
          idle === undefined ? undefined : { count: idle.containers, bytes: idle.containerBytes },
        peakRssBytes: server.peakRssBytes,
      });
    } finally {
      await server.stop();
    }
  }
  return { clients, targets, errors };
}
