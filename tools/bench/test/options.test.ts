import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/lib/flags.ts';
import { LOCAL_STACK_DEFAULTS } from '../../local-stack/src/defaults.ts';
import {
  type BENCH_DEFAULTS,
  DEFAULT_REMOTE_CONNECT_RATE,
  HELP_TEXT,
  parseBenchOptions,
} from '../src/options.ts';

describe('parseBenchOptions', () => {
  it('gives the documented defaults with no flags', () => {
    // Prepare / Act
    const options = parseBenchOptions([]);

    // Assess
    expect(options.only).toEqual(['load', 'fanout', 'pushback', 'faults', 'rooms', 'coldstart']);
    expect(options.clientCounts).toEqual([1000]);
    expect(options.messages).toBeGreaterThanOrEqual(30);
    expect(options.rate).toBe(0);
    expect(options.connectRate).toBe(0);
    expect(options.baseline).toBe(true);
    expect(options.url).toBeUndefined();
    expect(options.fanoutRecipients).toEqual([1000, 10_000]);
    expect(options.fanoutMemory).toEqual([LOCAL_STACK_DEFAULTS.memoryMb]);
    expect(options.fanoutRoundTripMs).toBe(20);
    expect(options.fanoutRounds).toBe(3);
    expect(options.fanoutShardSize).toBeUndefined();
    expect(options.fanoutPosterPosts).toBe(2000);
    expect(options.roomsConnections).toBe(10_000);
    expect(options.roomsMembers).toBe(10);
    expect(options.roomsRounds).toBe(5);
    expect(options.pushbackBudgets).toEqual([1000, 500]);
    expect(options.pushbackRecipients).toBe(10_000);
    expect(options.faultsRecipients).toBe(10_000);
    expect(options.faultsOutageMs).toBe(8000);
  });

  it('prints in --help the default each flag is given', () => {
    // Prepare: the help text's line of each flag, and what the parser fills in without it
    const options = parseBenchOptions([]);
    const given: Record<keyof typeof BENCH_DEFAULTS, [string, unknown]> = {
      clients: ['--clients', options.clientCounts[0]],
      messages: ['--messages', options.messages],
      warmup: ['--warmup', options.warmup],
      rate: ['--rate', options.rate],
      senders: ['--senders', options.senders],
      connectConcurrency: ['--connect-concurrency', options.connectConcurrency],
      messageTimeoutMs: ['--message-timeout-ms', options.messageTimeoutMs],
      fanoutRecipients: ['--fanout-recipients', options.fanoutRecipients.join(',')],
      fanoutMemory: ['--fanout-memory', options.fanoutMemory.join(',')],
      fanoutRoundTripMs: ['--fanout-round-trip-ms', options.fanoutRoundTripMs],
      fanoutRounds: ['--fanout-rounds', options.fanoutRounds],
      fanoutPosterPosts: ['--fanout-poster-posts', options.fanoutPosterPosts],
      roomsConnections: ['--rooms-connections', options.roomsConnections],
      roomsMembers: ['--rooms-members', options.roomsMembers],
      roomsRounds: ['--rooms-rounds', options.roomsRounds],
      pushbackBudgets: ['--pushback-budgets', options.pushbackBudgets.join(',')],
      pushbackRecipients: ['--pushback-recipients', options.pushbackRecipients],
      faultsRecipients: ['--faults-recipients', options.faultsRecipients],
      faultsQueueDownRecipients: [
        '--faults-queue-down-recipients',
        options.faultsQueueDownRecipients,
      ],
      faultsOutageMs: ['--faults-outage-ms', options.faultsOutageMs],
    };

    // Act / Assess: the line of each flag, with the lines that continue it, names its default
    const lines = HELP_TEXT.split('\n');
    for (const [flag, value] of Object.values(given)) {
      const start = lines.findIndex((line) => line.trimStart().startsWith(`${flag} `));
      expect(start, flag).toBeGreaterThan(-1);
      const end = lines.findIndex((line, index) => index > start && !/^ {20,}/.test(line));
      const text = lines.slice(start, end).join(' ');
      expect(text, flag).toContain(`(default ${value}`);
    }
  });

  it('reads every flag', () => {
    // Prepare
    const argv = [
      '--only=fanout,load',
      '--clients',
      '300',
      '--messages=40',
      '--warmup=0',
      '--rate=2.5',
      '--senders=4',
      '--connect-rate=50',
      '--connect-concurrency=8',
      '--message-timeout-ms=3000',
      '--no-baseline',
      '--origin=https://chat.example.com/path',
      '--fanout-recipients=500,5000',
      '--fanout-memory=256,1024',
      '--fanout-round-trip-ms=5',
      '--fanout-rounds=2',
      '--fanout-shard-size=100',
      '--rooms-connections=500',
      '--rooms-members=4',
      '--rooms-rounds=2',
      '--pushback-budgets=300,100',
      '--pushback-recipients=600',
      '--faults-recipients=200',
      '--faults-queue-down-recipients=900',
      '--faults-outage-ms=2000',
      '--json',
    ];

    // Act
    const options = parseBenchOptions(argv);

    // Assess
    expect(options).toMatchObject({
      json: true,
      only: ['load', 'fanout'],
      clientCounts: [300],
      messages: 40,
      warmup: 0,
      rate: 2.5,
      senders: 4,
      connectRate: 50,
      connectConcurrency: 8,
      messageTimeoutMs: 3000,
      baseline: false,
      origin: 'https://chat.example.com',
      fanoutRecipients: [500, 5000],
      fanoutMemory: [256, 1024],
      fanoutRoundTripMs: 5,
      fanoutRounds: 2,
      fanoutShardSize: 100,
      roomsConnections: 500,
      roomsMembers: 4,
      roomsRounds: 2,
      pushbackBudgets: [300, 100],
      pushbackRecipients: 600,
      faultsRecipients: 200,
      faultsQueueDownRecipients: 900,
      faultsOutageMs: 2000,
    });
  });

  it('paces connects and drops the local baseline against a deployed stack', () => {
    // Act
    const options = parseBenchOptions([
      '--url',
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
    ]);

    // Assess
    expect(options.url).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(options.connectRate).toBe(DEFAULT_REMOTE_CONNECT_RATE);
    expect(options.connectRate).toBeLessThan(500);
    expect(options.baseline).toBe(false);
  });

  it('runs the rooms benchmark alone with --only rooms', () => {
    // Act
    const options = parseBenchOptions(['--only=rooms']);

    // Assess
    expect(options.only).toEqual(['rooms']);
  });

  it('turns --sweep into several client counts', () => {
    // Act
    const options = parseBenchOptions(['--sweep', '100,500,1000,2000']);

    // Assess
    expect(options.clientCounts).toEqual([100, 500, 1000, 2000]);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'.*--help/],
    [['--clients'], /--clients/],
    [['--clients', 'many'], /--clients must be a whole number/],
    [['--clients', '1'], /--clients must be at least 2/],
    [['--messages', '0'], /--messages must be at least 1/],
    [['--rate=-1'], /--rate must be a number of 0 or more/],
    [['--only', 'load,speed'], /unknown benchmark 'speed'/],
    [['--url', 'https://example.com'], /--url must start with wss:\/\//],
    [['--url', 'not a url'], /--url is not a URL/],
    [['--sweep', '100,x'], /--sweep must be a whole number/],
    [['--sweep', '100', '--clients', '5'], /cannot be combined/],
    [['--fanout-memory', '64'], /--fanout-memory must be at least 128/],
    [['--fanout-rounds', '0'], /--fanout-rounds must be at least 1/],
    [['--rooms-members', '1'], /--rooms-members must be at least 2/],
    [['--rooms-members=20', '--rooms-connections=20'], /--rooms-connections must be at least 21/],
    [['--rooms-rounds', '0'], /--rooms-rounds must be at least 1/],
    [['--pushback-budgets', '0'], /--pushback-budgets must be at least 1/],
    [['--faults-outage-ms', '0'], /--faults-outage-ms must be at least 1/],
    [['extra'], /positional/i],
  ])('rejects %j with a clear message', (argv, message) => {
    // Act / Assess
    expect(() => parseBenchOptions(argv)).toThrow(UsageError);
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });
});

describe("docs/benchmarks.md's flag table", () => {
  it('lists exactly the flags --help lists', () => {
    // Prepare
    const doc = readFileSync(new URL('../../../docs/benchmarks.md', import.meta.url), 'utf8');
    const inHelp = [...HELP_TEXT.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((match) => match[1]);

    // Act
    const inDocs = [...doc.matchAll(/^\| `(--[\w-]+)[^|]*\|/gm)].map((match) => match[1]);

    // Assess
    expect(inHelp.length).toBeGreaterThan(20);
    expect([...inDocs].sort()).toEqual([...inHelp].sort());
  });
});
