/**
 * The configuration every test handler starts from: the contract's defaults where the function has
 * them, small enough numbers to reason about elsewhere. Rigs override what they are about.
 */
import type { Config } from '../../src/config.ts';

/**
 * A complete {@link Config} for a test.
 * @param overrides - what this rig sets differently (its tables, its endpoint, a limit)
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    tableName: 'connections',
    roomsTableName: 'rooms',
    historyMaxMessages: 50,
    historyTtlSeconds: 86_400,
    apigwEndpoint: undefined,
    allowedOrigins: undefined,
    maxMessageLength: 2000,
    sendConcurrency: 4,
    shardQueueUrl: undefined,
    shardSize: 100,
    authMode: 'none',
    rateLimit: { burst: 10, perSecond: 2 },
    sourceIpRateLimit: { burst: 10, perSecond: 2 },
    maxConnectionsPerPerson: 10,
    callbackRateLimit: 5000,
    deliveryWindowSeconds: 60,
    deadLetterQueueUrl: undefined,
    ...overrides,
  };
}
