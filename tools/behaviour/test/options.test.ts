import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/lib/flags.ts';
import { parseDeployedRunOptions } from '../src/options.ts';

const WSS = 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod';

describe('npm run test:deployed flags', () => {
  it('takes a Terraform folder, with the defaults for everything else', () => {
    expect(parseDeployedRunOptions(['--stack', 'terraform/'])).toEqual({
      help: false,
      source: { kind: 'terraform', dir: 'terraform/' },
      tableName: undefined,
      region: undefined,
      rateLimit: { burst: 10, perSecond: 2 },
      clientAddress: undefined,
      only: [],
    });
  });

  it('takes the two URLs and what the suite must know of the stack', () => {
    const options = parseDeployedRunOptions([
      '--url',
      `${WSS}/`,
      '--site',
      'https://d111.cloudfront.net',
      '--table',
      'chat-connections',
      '--region',
      'eu-west-1',
      '--rate-limit-burst',
      '20',
      '--rate-limit-per-second',
      '5',
      '--client-address',
      '127.0.0.2',
      '--only',
      'page',
      '--only',
      'rooms',
    ]);
    expect(options).toEqual({
      help: false,
      source: { kind: 'urls', websocketUrl: WSS, siteUrl: 'https://d111.cloudfront.net/' },
      tableName: 'chat-connections',
      region: 'eu-west-1',
      rateLimit: { burst: 20, perSecond: 5 },
      clientAddress: '127.0.0.2',
      only: ['page', 'rooms'],
    });
  });

  it('asks for help', () => {
    expect(parseDeployedRunOptions(['--help'])).toEqual({ help: true });
  });

  it.each([
    [[], 'say which stack'],
    [['--url', WSS], 'say which stack'],
    [['--stack', 't', '--url', WSS], 'not both'],
    [['--url', 'https://x/prod', '--site', 'https://y'], 'must start with wss://'],
    [['--stack', 't', '--rate-limit-burst', 'many'], '--rate-limit-burst must be a whole number'],
    [['--stack', 't', '--region', 'Ireland'], '--region must be a region code'],
    [['--stack', 't', '--client-address', 'localhost'], '--client-address must be an IP address'],
    [['--stack', 't', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j, saying what is wrong', (argv, message) => {
    expect(() => parseDeployedRunOptions(argv)).toThrow(UsageError);
    expect(() => parseDeployedRunOptions(argv)).toThrow(message);
  });
});
