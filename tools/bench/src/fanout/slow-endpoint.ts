/**
 * A stand-in for API Gateway's `@connections` management API that answers every POST after a set
 * round trip, as a real PostToConnection takes one, and keeps what the fan-out benchmark needs
 * to judge a broadcast: how many recipients got each message, how many got it twice, when the
 * last one got it. On AWS the management API runs on other machines, so it runs in a child
 * process (this module is that child) instead of competing with the broadcaster for one event loop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { numberArgument, runAsChild, startChild } from '../common/child-process.ts';

/** What the endpoint saw since its last reset. */
export interface EndpointCounters {
  /** Posts answered. */
  readonly calls: number;
  /** Distinct (recipient, message id) pairs: deliveries a page would show. */
  readonly delivered: number;
  /** Posts of a message id to a recipient that already had it (a page drops them). */
  readonly duplicates: number;
  /** Epoch ms of the last post answered, or 0. */
  readonly lastAt: number;
}

/** The endpoint, running in its own process. */
export interface SlowEndpoint {
  /** Base URL including the stage, as APIGW_ENDPOINT would be. */
  readonly endpoint: string;
  /** Zeroes the counters between two measurements. */
  resetCounters(): Promise<void>;
  readCounters(): Promise<EndpointCounters>;
  stop(): Promise<void>;
}

/**
 * Starts the endpoint in a child process on 127.0.0.1.
 * @param roundTripMs - how long every POST takes to answer
 * @returns the endpoint's URL and its counters
 */
export async function startSlowEndpoint(roundTripMs: number): Promise<SlowEndpoint> {
  const child = await startChild({
    module: import.meta.url,
    args: [String(roundTripMs)],
    name: 'the slow management endpoint',
  });
  return {
    endpoint: String(child.ready.endpoint),
    resetCounters: async () => {
      await child.request('reset');
    },
    readCounters: () => child.request<EndpointCounters>('counters'),
    stop: () => child.stop(),
  };
}

runAsChild(import.meta.url, 'slow management endpoint', async (args) => {
  const roundTripMs = numberArgument(args[0], 'the round trip in ms', 0);
  let calls = 0;
  let duplicates = 0;
  let lastAt = 0;
  const seen = new Set<string>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      setTimeout(() => {
        if (request.method === 'POST' && request.url?.includes('/@connections/')) {
          calls += 1;
          lastAt = Date.now();
          // Chat events carry an id; anything else (a presence event) counts by its text.
          const body = Buffer.concat(chunks).toString('utf8');
          const id = /"id":"([^"]+)"/.exec(body)?.[1] ?? body;
          const key = `${request.url.split('/@connections/')[1]} ${id}`;
          if (seen.has(key)) duplicates += 1;
          else seen.add(key);
          response.writeHead(200, { 'x-amzn-RequestId': `bench-${calls}` }).end();
        } else {
          response
            .writeHead(404, {
              'content-type': 'application/json',
              'x-amzn-ErrorType': 'NotFoundException',
            })
            .end('{"message":"No method found matching route"}');
        }
      }, roundTripMs);
    });
  });
  // Thousands of calls reuse a few hundred sockets; a long keep-alive avoids reconnect churn.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    ready: { endpoint: `http://127.0.0.1:${port}/${contract.stageName}` },
    answers: {
      reset: () => {
        calls = 0;
        duplicates = 0;
        lastAt = 0;
        seen.clear();
        return {};
      },
      counters: () => ({ calls, delivered: seen.size, duplicates, lastAt }),
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
