/**
 * The management client as the Lambda builds it, against a real HTTP server: the socket pool
 * must let SEND_CONCURRENCY posts be in flight, past the SDK's default cap of 50.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { broadcastToConnections } from '../../src/broadcast/broadcaster.ts';
import {
  createManagementClient,
  createPerEndpointCache,
} from '../../src/broadcast/management-clients.ts';
import { sdkPoster } from '../../src/broadcast/poster.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createManagementClient', () => {
  it('lets SEND_CONCURRENCY posts be in flight at once, beyond the default 50 sockets', async () => {
    // Prepare: a management endpoint that holds every request until `concurrency` are pending
    const concurrency = 60;
    const held: ServerResponse[] = [];
    const paths: string[] = [];
    let peak = 0;
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      paths.push(request.url ?? '');
      request.resume();
      held.push(response);
      peak = Math.max(peak, held.length);
      if (held.length === concurrency) {
        for (const waiting of held.splice(0)) waiting.writeHead(200).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const client = createManagementClient(`http://127.0.0.1:${port}/prod`, concurrency);
    const ids = Array.from({ length: concurrency * 2 }, (_, index) => `id${index}=`);

    // Act
    const result = await broadcastToConnections(ids, '{"type":"message"}', {
      post: sdkPoster(client),
      concurrency,
    });

    // Assess
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(result.delivered).toBe(ids.length);
    expect(peak).toBe(concurrency);
    expect(paths[0]).toMatch(/^\/prod\/@connections\/id\d+%3D$/);
  });
});

describe('createPerEndpointCache', () => {
  it('creates one client per endpoint', () => {
    // Prepare
    const created: string[] = [];
    const clientFor = createPerEndpointCache((endpoint) => {
      created.push(endpoint);
      return createManagementClient(endpoint, 1);
    });

    // Act
    const first = clientFor('https://a/prod');
    const again = clientFor('https://a/prod');
    clientFor('https://b/prod');

    // Assess
    expect(again).toBe(first);
    expect(created).toEqual(['https://a/prod', 'https://b/prod']);
  });
});
