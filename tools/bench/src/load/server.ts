/**
 * A server under test in a child process, its resident memory sampled from outside, so the figure
 * is the server's own: not the load generator's client sockets, and including any worker
 * processes the stack starts. This module is also that child.
 */
import { fileURLToPath } from 'node:url';
import { choiceArgument, runAsChild, startChild } from '../common/child-process.ts';
import { readTreeMemory, type TreeMemory } from '../common/process-memory.ts';

/**
 * The servers, as progress lines and errors name them: the bare ws server (the lower bound), the
 * local stack running the naive handler (a first design), and the local stack running our bundle.
 */
export const SERVER_NAMES = {
  bare: 'the bare ws server',
  naive: 'the local stack with the naive handler',
  stack: 'the local stack',
} as const;

/** Which server to run. */
export type ServerTarget = keyof typeof SERVER_NAMES;

/** The naive handler's module, which the local stack loads as it loads our bundle. */
export const NAIVE_HANDLER = fileURLToPath(new URL('./naive-handler.ts', import.meta.url));

/** A server running in a child process. */
export interface ServerProcess {
  readonly websocketUrl: string;
  /** The chat page's origin (local stack only): browsers send it with every handshake. */
  readonly pageOrigin: string | undefined;
  /** Resident memory of the child and its descendants right now, if /proc is readable. */
  sampleMemory(): TreeMemory | undefined;
  /** @returns the highest RSS seen since start (bytes), if /proc is readable */
  readonly peakRssBytes: number | undefined;
  /** Stops the server and waits for the child to exit. */
  stop(): Promise<void>;
}

const SAMPLE_INTERVAL_MS = 250;

/**
 * Starts a server under test in a child Node.js process and samples its memory every 250 ms
 * until it stops.
 * @param target - which server
 * @returns the running server
 */
export async function startServerProcess(target: ServerTarget): Promise<ServerProcess> {
  const child = await startChild({
    module: import.meta.url,
    args: [target],
    name: SERVER_NAMES[target],
    // The handler's one log line per invocation would flood the report (and is what CloudWatch
    // gets on AWS); errors still reach stderr.
    stdout: 'ignore',
  });
  let peak: number | undefined;
  const sample = (): TreeMemory | undefined => {
    const memory = child.pid === undefined ? undefined : readTreeMemory(child.pid);
    if (memory !== undefined) peak = Math.max(peak ?? 0, memory.totalBytes);
    return memory;
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  sampler.unref();
  const { websocketUrl, pageOrigin } = child.ready;
  return {
    websocketUrl: String(websocketUrl),
    pageOrigin: typeof pageOrigin === 'string' ? pageOrigin : undefined,
    sampleMemory: sample,
    get peakRssBytes() {
      return peak;
    },
    stop: async () => {
      sample();
      clearInterval(sampler);
      await child.stop();
    },
  };
}

runAsChild(import.meta.url, 'bench server', async (args) => {
  const servers = Object.keys(SERVER_NAMES) as ServerTarget[];
  const target = choiceArgument(args[0], 'the server', servers);
  if (target === 'bare') {
    const { startBareWsServer } = await import('./bare-ws-server.ts');
    const server = await startBareWsServer(0);
    return { ready: { websocketUrl: server.websocketUrl }, stop: server.stop };
  }
  // Imported lazily so the bare server's figures never include the stack's modules.
  const { startLocalStack } = await import('../../../local-stack/src/stack.ts');
  const stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    dynamoPort: 0,
    ...(target === 'naive' && { handlerPath: NAIVE_HANDLER }),
    // One log line per invocation would cost more than the chat itself at 1,000 clients.
    log: () => {},
  });
  return {
    ready: { websocketUrl: stack.websocketUrl, pageOrigin: new URL(stack.pageUrl).origin },
    stop: () => stack.stop(),
  };
});
