/**
 * A stand-in for API Gateway's `@connections` management API that answers every POST after a set
 * delay, like a real PostToConnection round trip, and counts how many calls were in flight at
 * once. The fan-out benchmark points a real ApiGatewayManagementApiClient at it over HTTP.
 *
 * On AWS the management API runs on other machines, so the benchmark runs it in a child process
 * ({@link startSlowEndpointProcess}; this module is that child) instead of letting it compete
 * with the broadcaster for one event loop.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { runAsChild, startChild } from '../shared/child-process.ts';

/** Counters of the endpoint since its last reset. */
export interface EndpointCounters {
  readonly calls: number;
  readonly peakInFlight: number;
}

/** The endpoint running in its own process. */
export interface SlowEndpointProcess {
  /** Base URL including the stage, as APIGW_ENDPOINT would be. */
  readonly endpoint: string;
  resetCounters(): Promise<void>;
  readCounters(): Promise<EndpointCounters>;
  stop(): Promise<void>;
}

/** A running slow endpoint. */
export interface SlowManagementEndpoint extends EndpointCounters {
  /** Base URL including the stage, as APIGW_ENDPOINT would be. */
  readonly endpoint: string;
  /** Zeroes the counters between two measurements. */
  resetCounters(): void;
  stop(): Promise<void>;
}

/**
 * Starts the endpoint on 127.0.0.1.
 * @param delayMs - how long every POST takes to answer
 * @param stage - the stage path segment the endpoint URL carries
 * @returns the endpoint and its counters
 */
export async function startSlowManagementEndpoint(
  delayMs: number,
  stage: string,
): Promise<SlowManagementEndpoint> {
  let inFlight = 0;
  let peakInFlight = 0;
  let calls = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    // Drain the body, then answer as AWS does for a delivered post: 200, empty body.
    request.resume();
    request.on('end', () => {
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
      }, delayMs);
    });
  });
  // Thousands of calls reuse a few hundred sockets; a long keep-alive avoids reconnect churn.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('endpoint has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}/${stage}`,
    get calls() {
      return calls;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    resetCounters() {
      calls = 0;
      peakInFlight = inFlight;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the endpoint in a child Node.js process.
 * @param delayMs - how long every POST takes to answer
 * @param stage - the stage path segment of the endpoint URL
 * @returns the endpoint's URL and its counters, read over IPC
 */
export async function startSlowEndpointProcess(
  delayMs: number,
  stage: string,
): Promise<SlowEndpointProcess> {
  const child = await startChild({
    module: import.meta.url,
    args: [String(delayMs), stage],
    name: 'the slow management endpoint',
  });
  return {
    endpoint: String(child.ready.endpoint),
    resetCounters: async () => {
      await child.request('reset');
    },
    readCounters: async () => {
      const counters = await child.request('counters');
      return { calls: Number(counters.calls), peakInFlight: Number(counters.peakInFlight) };
    },
    stop: () => child.stop(),
  };
}

runAsChild(import.meta.url, 'slow management endpoint', async (args) => {
  const delayMs = args.number(0, 'the delay in ms', 0);
  const stage = args.text(1, 'the stage', /^[A-Za-z0-9_-]+$/);
  const endpoint = await startSlowManagementEndpoint(delayMs, stage);
  return {
    ready: { endpoint: endpoint.endpoint },
    answers: {
      reset: () => {
        endpoint.resetCounters();
        return {};
      },
      counters: () => ({ calls: endpoint.calls, peakInFlight: endpoint.peakInFlight }),
    },
    stop: endpoint.stop,
  };
});
