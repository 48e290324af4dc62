import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/common/progress.ts';
import { runFanoutBenchmark } from '../../src/fanout/benchmark.ts';
import { fakeConnectionIds } from '../../src/fanout/broadcast-rig.ts';
import type { SlowEndpoint } from '../../src/fanout/slow-endpoint.ts';
import { startSlowEndpoint } from '../../src/fanout/slow-endpoint.ts';
import { parseBenchOptions } from '../../src/options.ts';

let endpoint: SlowEndpoint | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

describe('the slow management endpoint', () => {
  it('answers real SDK posts on the stage path and counts deliveries and repeats per message id', async () => {
    // Prepare
    endpoint = await startSlowEndpoint(1);
    const client = new ApiGatewayManagementApiClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const post = (connectionId: string, id: string) =>
      client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: `{"type":"message","id":"${id}"}`,
        }),
      );

    // Act: a, b get message 1; a gets it again; a gets message 2
    const output = await post('AAAAAAAAAAAAAAA=', '1');
    await post('BBBBBBBBBBBBBBB=', '1');
    await post('AAAAAAAAAAAAAAA=', '1');
    await post('AAAAAAAAAAAAAAA=', '2');
    client.destroy();

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(endpoint.endpoint).toMatch(/\/prod$/);
    expect(await endpoint.readCounters()).toMatchObject({ calls: 4, delivered: 3, duplicates: 1 });
    await endpoint.resetCounters();
    expect(await endpoint.readCounters()).toEqual({
      calls: 0,
      delivered: 0,
      duplicates: 0,
      firstAt: 0,
      lastAt: 0,
      refused: 0,
      failed: 0,
      frames: [],
    });
  });

  it("answers as the local stack does past the account's budget and in an outage, and keeps the frames that are not chat messages", async () => {
    // Prepare: a budget of 2 posts a second (burst 1), no SDK retries
    endpoint = await startSlowEndpoint(1);
    const client = new ApiGatewayManagementApiClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const post = (data: object) =>
      client.send(
        new PostToConnectionCommand({
          ConnectionId: 'AAAAAAAAAAAAAAA=',
          Data: JSON.stringify(data),
        }),
      );
    await endpoint.limitRate(2);

    // Act: an ack goes through; a message right after it is over the budget
    await post({ type: 'ack', clientId: 'c1', id: '1' });
    const throttled = post({ type: 'message', id: '1' });
    await expect(throttled).rejects.toMatchObject({ name: 'LimitExceededException' });
    await endpoint.limitRate(undefined);
    await endpoint.failPosts({ status: 500, count: 1 });
    const failed = post({ type: 'message', id: '1' });
    await expect(failed).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    await post({ type: 'message', id: '1' });
    await endpoint.failPosts({ status: 500 });
    await endpoint.clearFaults();
    await post({ type: 'delivery_incomplete', clientId: 'c1', unreached: 3 });
    client.destroy();

    // Assess
    expect(await endpoint.readCounters()).toMatchObject({
      calls: 3,
      delivered: 1,
      refused: 1,
      failed: 1,
      frames: [
        { connectionId: 'AAAAAAAAAAAAAAA=', fields: { type: 'ack', clientId: 'c1', id: '1' } },
        {
          connectionId: 'AAAAAAAAAAAAAAA=',
          fields: { type: 'delivery_incomplete', clientId: 'c1', unreached: 3 },
        },
      ],
    });
  });
});

describe('fakeConnectionIds', () => {
  it('makes distinct ids in API Gateway format, distinct across prefixes', () => {
    const ids = [...fakeConnectionIds(5000, 'a'), ...fakeConnectionIds(5000, 'b')];
    // A room filled in two steps, the second one's ids past 11 bytes of prefix and index
    const topUp = [...fakeConnectionIds(10_000, 'r0'), ...fakeConnectionIds(20_000, 'r10000')];

    expect(new Set(ids).size).toBe(10_000);
    expect(new Set(topUp).size).toBe(30_000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{15}=$/);
  });
});

describe('runFanoutBenchmark', () => {
  it('measures both post paths and a sharded broadcast of the real bundle, with nothing lost', {
    timeout: 180_000,
  }, async () => {
    // Prepare: a small broadcast, split into shards of 20
    const options = parseBenchOptions([
      '--fanout-recipients=60',
      '--fanout-round-trip-ms=5',
      '--fanout-rounds=1',
      '--fanout-memory=512',
      '--fanout-shard-size=20',
      '--fanout-poster-posts=200',
    ]);

    // Act
    const result = await runFanoutBenchmark(options, new AbortController().signal, silentProgress);

    // Assess
    expect(result.posters.map((poster) => poster.path)).toEqual(['sdk', 'signed']);
    for (const poster of result.posters) expect(poster.cpuPerPostMs).toBeGreaterThan(0);
    expect(result.broadcasts).toHaveLength(1);
    const [run] = result.broadcasts;
    for (const round of [run?.warmUp, ...(run?.rounds ?? [])]) {
      expect(round).toMatchObject({ delivered: 60, duplicates: 0, timedOut: 0, throttled: 0 });
      // 60 recipients at 20 per invocation: the accepting one and at least two shard workers
      expect(round?.invocations).toBeGreaterThanOrEqual(3);
      expect(round?.gbSeconds).toBeGreaterThan(0);
    }
    expect(process.env.AWS_ACCESS_KEY_ID).not.toBe('local');
  });
});
