/**
 * Child-process entry that runs one server under test, so its memory is measured alone: the
 * parent (the load generator) reads this process's RSS from /proc while its clients hammer it.
 * Started by `server-process.ts`; talks to the parent over the IPC channel only.
 *
 * argv[2]: `bare` (the bare ws broadcast server) or `stack` (the whole local stack).
 */
import type { ServerReadyMessage, ServerTarget } from './server-process.ts';

interface RunningServer {
  readonly ready: ServerReadyMessage;
  stop(): Promise<void>;
}

async function startTarget(target: ServerTarget): Promise<RunningServer> {
  if (target === 'bare') {
    const { startBareWsServer } = await import('./bare-ws-server.ts');
    const server = await startBareWsServer(0);
    return { ready: { type: 'ready', websocketUrl: server.websocketUrl }, stop: server.stop };
  }
  // Imported lazily so the bare server's figures never include the stack's modules.
  const { startLocalStack } = await import('../../local/stack.ts');
  const stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    dynamoPort: 0,
    // One log line per invocation would cost more than the chat itself at 1,000 clients.
    log: () => {},
  });
  return {
    ready: { type: 'ready', websocketUrl: stack.websocketUrl, pageUrl: stack.pageUrl },
    stop: () => stack.stop(),
  };
}

function send(message: object): void {
  process.send?.(message);
}

const target = process.argv[2];
if (target !== 'bare' && target !== 'stack') {
  console.error(`server-child: unknown target '${target}'`);
  process.exit(2);
}

try {
  const server = await startTarget(target);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'type' in message) {
      if (message.type === 'stop') void stop();
    }
  });
  // The parent died or closed the channel (Ctrl-C twice): never outlive it.
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => {}); // the parent decides when to stop; its Ctrl-C reaches us too
  send(server.ready);
} catch (error) {
  send({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
