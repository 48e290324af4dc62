import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../options.ts';
import { silentProgress } from '../../shared/progress.ts';
import { runFanoutBenchmark } from '../benchmark.ts';
import type { SlowEndpoint } from '../slow-endpoint.ts';
import { startSlowEndpoint } from '../slow-endpoint.ts';

let endpoint: SlowEndpoint | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

describe('the slow management endpoint', () => {
  it('answers a real SDK PostToConnection on the stage path and counts it', async () => {
    // Prepare
    endpoint = await startSlowEndpoint(1);
    const client = new ApiGatewayManagementApiClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    // Act
    const output = await client.send(
      new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'hi' }),
    );
    client.destroy();

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(endpoint.endpoint).toMatch(/\/prod$/);
    expect(await endpoint.readCounters()).toEqual({ calls: 1, peakInFlight: 1 });
    await endpoint.resetCounters();
    expect(await endpoint.readCounters()).toEqual({ calls: 0, peakInFlight: 0 });
  });
});

describe('runFanoutBenchmark', () => {
  it('delivers every post through the backend broadcaster and measures the real concurrency', async () => {
    // Prepare
    const options = parseBenchOptions([
      '--fanout-connections=200',
      // Long enough that every worker's first post is still in flight when the last one starts.
      '--fanout-delay-ms=20',
      '--fanout-concurrency=4,10',
    ]);

    // Act
    const result = await runFanoutBenchmark(options, new AbortController().signal, silentProgress);

    // Assess: the backend's default setting is measured too
    const settings = result.runs.map((run) => run.concurrency);
    expect(settings).toEqual(expect.arrayContaining([4, 10, result.defaultConcurrency]));
    for (const run of result.runs) {
      expect(run.delivered).toBe(200);
      expect(run.calls).toBe(200);
      expect(run.failed).toBe(0);
      expect(run.peakInFlight).toBeLessThanOrEqual(run.concurrency);
      expect(run.idealMs).toBeCloseTo((200 * 20) / run.concurrency, 6);
    }
    expect(result.runs.find((run) => run.concurrency === 4)?.peakInFlight).toBe(4);
  });

  it('reaches a concurrency above the SDK default of 50 sockets with the Lambda client', async () => {
    // Prepare: each post held long enough that a busy machine still starts 60 before one returns
    const options = parseBenchOptions([
      '--fanout-connections=120',
      '--fanout-delay-ms=250',
      '--fanout-concurrency=60',
    ]);

    // Act
    const result = await runFanoutBenchmark(options, new AbortController().signal, silentProgress);

    // Assess
    const run = result.runs.find((candidate) => candidate.concurrency === 60);
    expect(run?.peakInFlight).toBeGreaterThan(50);
    expect(run?.delivered).toBe(120);
  });

  it('leaves the environment as it found it', async () => {
    // Prepare
    const before = process.env.AWS_ACCESS_KEY_ID;
    const options = parseBenchOptions([
      '--fanout-connections=10',
      '--fanout-delay-ms=0',
      '--fanout-concurrency=2',
    ]);

    // Act
    await runFanoutBenchmark(options, new AbortController().signal, silentProgress);

    // Assess
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(before);
  });
});
