/**
 * A stand-in for API Gateway's `@connections` management API that answers every POST after a set
 * round trip, as a real PostToConnection takes one, and counts how many posts were in flight at
 * once. The fan-out benchmark points a real ApiGatewayManagementApiClient at it over HTTP. On
 * AWS the management API runs on other machines, so it runs in a child process (this module is
 * that child) instead of competing with the broadcaster for one event loop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import contract from '../../../backend/src/contract.json' with { type: 'json' };
import { numberArgument, runAsChild, startChild } from '../shared/child-process.ts';

/** What the endpoint saw since its last reset. */
export interface EndpointCounters {
  readonly calls: number;
  readonly peakInFlight: number;
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
    readCounters: async () => {
      const { calls, peakInFlight } = await child.request('counters');
      return { calls: Number(calls), peakInFlight: Number(peakInFlight) };
    },
    stop: () => child.stop(),
  };
}

runAsChild(import.meta.url, 'slow management endpoint', async (args) => {
  const roundTripMs = numberArgument(args[0], 'the round trip in ms', 0);
  let inFlight = 0;
  let peakInFlight = 0;
  let calls = 0;
  const server = createServer((request, response) => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    // Drain the body, then answer as AWS does for a delivered post: 200, empty body.
    request.resume().on('end', () => {
      setTimeout(() => {
        inFlight -= 1;
        if (request.method === 'POST' && request.url?.includes('/@connections/')) {
          calls += 1;
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
        peakInFlight = inFlight;
        return {};
      },
      counters: () => ({ calls, peakInFlight }),
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
