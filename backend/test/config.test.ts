import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SEND_CONCURRENCY, loadConfig } from '../src/config.ts';
import contract from '../src/contract.json' with { type: 'json' };

const names = contract.environment;

describe('loadConfig', () => {
  it('applies the defaults when only the table is set', () => {
    // Act
    const config = loadConfig({ [names.tableName]: 'connections' });

    // Assess
    expect(config).toEqual({
      tableName: 'connections',
      apigwEndpoint: undefined,
      allowedOrigins: undefined,
      maxMessageLength: contract.limits.maxMessageLength,
      sendConcurrency: DEFAULT_SEND_CONCURRENCY,
    });
  });

  it('reads every variable', () => {
    // Act
    const config = loadConfig({
      [names.tableName]: 'connections',
      [names.apigwEndpoint]: 'http://127.0.0.1:4000/prod/',
      [names.allowedOrigins]: ' https://Chat.Example.com:443 , http://localhost:5173,',
      [names.maxMessageLength]: '500',
      [names.sendConcurrency]: '50',
    });

    // Assess
    expect(config.apigwEndpoint).toBe('http://127.0.0.1:4000/prod');
    expect([...(config.allowedOrigins ?? [])]).toEqual([
      'https://chat.example.com',
      'http://localhost:5173',
    ]);
    expect(config.maxMessageLength).toBe(500);
    expect(config.sendConcurrency).toBe(50);
  });

  it('treats a blank allow-list as no Origin check', () => {
    const config = loadConfig({ [names.tableName]: 't', [names.allowedOrigins]: ' , ' });

    expect(config.allowedOrigins).toBeUndefined();
  });

  const invalid: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['a missing table', {}],
    ['a blank table', { [names.tableName]: '  ' }],
    ['a non-URL endpoint', { [names.tableName]: 't', [names.apigwEndpoint]: 'not a url' }],
    ['a non-http endpoint', { [names.tableName]: 't', [names.apigwEndpoint]: 'ftp://x/prod' }],
    [
      'an origin with a path',
      { [names.tableName]: 't', [names.allowedOrigins]: 'https://a.com/x' },
    ],
    ['a bare host as origin', { [names.tableName]: 't', [names.allowedOrigins]: 'a.com' }],
    ['a zero length', { [names.tableName]: 't', [names.maxMessageLength]: '0' }],
    ['a fractional length', { [names.tableName]: 't', [names.maxMessageLength]: '2.5' }],
    ['a negative concurrency', { [names.tableName]: 't', [names.sendConcurrency]: '-1' }],
    ['a huge concurrency', { [names.tableName]: 't', [names.sendConcurrency]: '100000' }],
    ['a non-numeric concurrency', { [names.tableName]: 't', [names.sendConcurrency]: 'ten' }],
  ];

  it.each(invalid)('rejects %s', (_, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });
});
