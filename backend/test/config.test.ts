import { describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import type { Config } from '../src/config.ts';
import { DEFAULT_SEND_CONCURRENCY, defaultShardSize, loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

const names = contract.environment;

describe('loadConfig', () => {
  it('applies the defaults when only the table is set', () => {
    // Act
    const config = loadConfig({
      [names.tableName]: 'connections',
      [names.roomsTableName]: 'rooms',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'connections',
      roomsTableName: 'rooms',
      historyMaxMessages: contract.limits.historyMaxMessages,
      historyTtlSeconds: contract.limits.historyTtlSeconds,
      apigwEndpoint: undefined,
      allowedOrigins: undefined,
      maxMessageLength: contract.limits.maxMessageLength,
      sendConcurrency: DEFAULT_SEND_CONCURRENCY,
      shardQueueUrl: undefined,
      shardSize: defaultShardSize(undefined),
      authMode: 'none',
      rateLimit: {
        burst: contract.limits.rateLimitBurst,
        perSecond: contract.limits.rateLimitPerSecond,
      },
      sourceIpRateLimit: {
        burst: contract.limits.rateLimitBurst,
        perSecond: contract.limits.rateLimitPerSecond,
      },
      maxConnectionsPerPerson: contract.limits.maxConnectionsPerPerson,
      callbackRateLimit: 5000,
      deliveryWindowSeconds: 60,
      deadLetterQueueUrl: undefined,
    });
  });

  it('reads every variable', () => {
    // Act
    const config = loadConfig({
      [names.tableName]: 'connections',
      [names.roomsTableName]: 'rooms',
      [names.historyMaxMessages]: '20',
      [names.historyTtlSeconds]: '0',
      [names.apigwEndpoint]: 'http://127.0.0.1:4000/prod/',
      [names.allowedOrigins]: ' https://Chat.Example.com:443 , http://localhost:5173,',
      [names.maxMessageLength]: '500',
      [names.sendConcurrency]: '60',
      [names.shardQueueUrl]: 'http://127.0.0.1:9324/000000000000/fanout',
      [names.shardSize]: '250',
      [names.rateLimitBurst]: '5',
      [names.rateLimitPerSecond]: '1',
      [names.callbackRateLimit]: '2500',
      [names.deliveryWindowSeconds]: '120',
      [names.deadLetterQueueUrl]: 'http://127.0.0.1:9324/000000000000/fanout-dlq',
      [names.authMode]: 'cognito',
      [names.sourceIpRateLimitBurst]: '30',
      [names.sourceIpRateLimitPerSecond]: '6',
      [names.maxConnectionsPerPerson]: '4',
    });

    // Assess
    expect(config.authMode).toBe('cognito');
    expect(config.sourceIpRateLimit).toEqual({ burst: 30, perSecond: 6 });
    expect(config.maxConnectionsPerPerson).toBe(4);
    expect(config.historyMaxMessages).toBe(20);
    expect(config.historyTtlSeconds).toBe(0);
    expect(config.shardQueueUrl).toBe('http://127.0.0.1:9324/000000000000/fanout');
    expect(config.shardSize).toBe(250);
    expect(config.rateLimit).toEqual({ burst: 5, perSecond: 1 });
    expect(config.apigwEndpoint).toBe('http://127.0.0.1:4000/prod');
    expect([...(config.allowedOrigins ?? [])]).toEqual([
      'https://chat.example.com',
      'http://localhost:5173',
    ]);
    expect(config.maxMessageLength).toBe(500);
    expect(config.sendConcurrency).toBe(60);
    expect(config.callbackRateLimit).toBe(2500);
    expect(config.deliveryWindowSeconds).toBe(120);
    expect(config.deadLetterQueueUrl).toBe('http://127.0.0.1:9324/000000000000/fanout-dlq');
  });

  it('sizes shards by the memory Lambda reports, so a shard takes about as long at any size', () => {
    // Act
    const small = defaultShardSize('256');
    const oneVcpu = defaultShardSize('1769');
    const huge = defaultShardSize('10240');

    // Assess: proportional to memory, within the bounds a shard message can carry
    expect(small).toBeLessThan(oneVcpu);
    expect(small / oneVcpu).toBeCloseTo(256 / 1769, 1);
    expect(huge).toBe(2000);
    expect(
      loadConfig({
        [names.tableName]: 't',
        [names.roomsTableName]: 'r',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      }).shardSize,
    ).toBe(small);
  });

  it("gives a source IP the person's own budget unless told otherwise", () => {
    const config = loadConfig({
      [names.tableName]: 't',
      [names.roomsTableName]: 'r',
      [names.rateLimitBurst]: '20',
      [names.rateLimitPerSecond]: '4',
    });

    expect(config.sourceIpRateLimit).toEqual({ burst: 20, perSecond: 4 });
  });

  it('treats a blank allow-list as no Origin check', () => {
    const config = loadConfig({
      [names.tableName]: 't',
      [names.roomsTableName]: 'r',
      [names.allowedOrigins]: ' , ',
    });

    expect(config.allowedOrigins).toBeUndefined();
  });

  /** Both required tables, so each case below fails for its own reason. */
  const tables = { [names.tableName]: 't', [names.roomsTableName]: 'r' };
  const invalid: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['a missing table', { [names.roomsTableName]: 'r' }],
    ['a missing rooms table', { [names.tableName]: 't' }],
    ['a blank table', { [names.tableName]: '  ', [names.roomsTableName]: 'r' }],
    ['a negative history TTL', { ...tables, [names.historyTtlSeconds]: '-1' }],
    ['a zero history size', { ...tables, [names.historyMaxMessages]: '0' }],
    ['a non-URL endpoint', { ...tables, [names.apigwEndpoint]: 'not a url' }],
    ['a non-http endpoint', { ...tables, [names.apigwEndpoint]: 'ftp://x/prod' }],
    ['a non-URL queue', { ...tables, [names.shardQueueUrl]: 'fanout' }],
    ['a zero shard size', { ...tables, [names.shardSize]: '0' }],
    ['a huge shard size', { ...tables, [names.shardSize]: '5000' }],
    ['a zero burst', { ...tables, [names.rateLimitBurst]: '0' }],
    ['a fractional rate', { ...tables, [names.rateLimitPerSecond]: '1.5' }],
    ['an unknown auth mode', { ...tables, [names.authMode]: 'jwt' }],
    ['a zero connection cap', { ...tables, [names.maxConnectionsPerPerson]: '0' }],
    ['a zero source IP burst', { ...tables, [names.sourceIpRateLimitBurst]: '0' }],
    ['a huge source IP rate', { ...tables, [names.sourceIpRateLimitPerSecond]: '5000' }],
    ['an origin with a path', { ...tables, [names.allowedOrigins]: 'https://a.com/x' }],
    ['a bare host as origin', { ...tables, [names.allowedOrigins]: 'a.com' }],
    ['a zero length', { ...tables, [names.maxMessageLength]: '0' }],
    ['a fractional length', { ...tables, [names.maxMessageLength]: '2.5' }],
    ['a negative concurrency', { ...tables, [names.sendConcurrency]: '-1' }],
    ['a huge concurrency', { ...tables, [names.sendConcurrency]: '100000' }],
    ['a non-numeric concurrency', { ...tables, [names.sendConcurrency]: 'ten' }],
    ['a zero callback budget', { ...tables, [names.callbackRateLimit]: '0' }],
    ['a zero delivery window', { ...tables, [names.deliveryWindowSeconds]: '0' }],
    ['a non-URL dead-letter queue', { ...tables, [names.deadLetterQueueUrl]: 'dlq' }],
  ];

  it.each(invalid)('rejects %s', (_, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  /** Where the configuration holds each setting that has a maximum in contract.json. */
  const configured: Readonly<Record<string, (config: Config) => number>> = {
    sendConcurrency: (config) => config.sendConcurrency,
    shardSize: (config) => config.shardSize,
    rateLimitBurst: (config) => config.rateLimit.burst,
    rateLimitPerSecond: (config) => config.rateLimit.perSecond,
    historyMaxMessages: (config) => config.historyMaxMessages,
    historyTtlSeconds: (config) => config.historyTtlSeconds,
    callbackRateLimit: (config) => config.callbackRateLimit,
    deliveryWindowSeconds: (config) => config.deliveryWindowSeconds,
    maxConnectionsPerPerson: (config) => config.maxConnectionsPerPerson,
  };

  it.each(Object.entries(contract.settingMaximums))(
    'accepts %s up to its maximum in contract.json, %i (the bound Terraform validates), and no more',
    (setting, maximum) => {
      // Prepare
      const name = names[setting as keyof typeof names];
      const read = configured[setting];
      expect(name, `contract.json's environment names ${setting}`).toBeDefined();
      expect(read, `the configuration holds ${setting}`).toBeDefined();

      // Act
      const atMaximum = loadConfig({ ...tables, [name]: String(maximum) });

      // Assess
      expect(read?.(atMaximum)).toBe(maximum);
      expect(() => loadConfig({ ...tables, [name]: String(maximum + 1) })).toThrow(ConfigError);
    },
  );

  it('accepts the two tables alone', () => {
    expect(() => loadConfig(tables)).not.toThrow();
  });
});
