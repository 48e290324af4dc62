/**
 * Command-line flags of `npm run bench`: parsed with node:util's parseArgs, validated once, and
 * turned into one typed options object so the benchmarks never look at argv themselves.
 */
import {
  parseInteger,
  parseIntegerList,
  parseNumber,
  readFlags,
  UsageError,
} from '../../../scripts/lib/flags.ts';
import { LOCAL_STACK_DEFAULTS } from '../../local-stack/src/defaults.ts';

/** The benchmarks `--only` can select, in the order they run. */
export const BENCHMARK_NAMES = [
  'load',
  'fanout',
  'pushback',
  'faults',
  'rooms',
  'coldstart',
] as const;

/** One benchmark's name. */
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

/** Everything `npm run bench` was asked to do. */
export interface BenchOptions {
  readonly help: boolean;
  readonly json: boolean;
  /** Print the tables as Markdown instead of aligned text; also write docs/benchmark-figures.md. */
  readonly markdown: boolean;
  readonly only: readonly BenchmarkName[];
  /** Client counts to run the load benchmark with: one entry, or several with `--sweep`. */
  readonly clientCounts: readonly number[];
  readonly messages: number;
  /** Messages sent first and not counted, so JIT warm-up does not skew a 30-message median. */
  readonly warmup: number;
  /** Messages per second; 0 sends back to back (each after the previous reached everyone). */
  readonly rate: number;
  /** How many distinct clients take turns sending; 0 means all of them. */
  readonly senders: number;
  /** New connections per second; 0 means unpaced (only the in-flight cap applies). */
  readonly connectRate: number;
  /** Handshakes in flight at once. */
  readonly connectConcurrency: number;
  /** A deployed stack's WebSocket URL; undefined runs the local stack. */
  readonly url: string | undefined;
  /** Origin header sent on every handshake; undefined uses the local page's origin (or none). */
  readonly origin: string | undefined;
  /** How long one message may take to reach everyone before its missing receipts count as lost. */
  readonly messageTimeoutMs: number;
  /** Run the baselines (the bare `ws` server, the naive handler) in the same run. */
  readonly baseline: boolean;
  /** Recipients of each measured broadcast, e.g. 1,000 and 10,000. */
  readonly fanoutRecipients: readonly number[];
  /** Lambda memory sizes to run the function at (each at its CPU share). */
  readonly fanoutMemory: readonly number[];
  /** How long the management endpoint takes to answer each post. */
  readonly fanoutRoundTripMs: number;
  /** Measured broadcasts per setting (fan-out, pushback, faults), after one unmeasured warm-up. */
  readonly fanoutRounds: number;
  /** SHARD_SIZE for the function; undefined leaves its default (by memory). */
  readonly fanoutShardSize: number | undefined;
  /** Posts per round when measuring CPU per post on each path. */
  readonly fanoutPosterPosts: number;
  /** Callback budgets (posts per second) to broadcast against, each its own run. */
  readonly pushbackBudgets: readonly number[];
  /** Recipients of each throttled broadcast. */
  readonly pushbackRecipients: number;
  /** Recipients of the broadcasts through an outage and through refused hand-offs. */
  readonly faultsRecipients: number;
  /** Recipients of the broadcasts while SQS refuses every shard. */
  readonly faultsQueueDownRecipients: number;
  /** How long `@connections` answers 500 in the outage. */
  readonly faultsOutageMs: number;
  /** WebSocket connections open while a message goes to the measured room, its members included. */
  readonly roomsConnections: number;
  /** Members of the measured room. */
  readonly roomsMembers: number;
  /** Measured messages to the room, and measured history joins, each after one warm-up. */
  readonly roomsRounds: number;
}

/**
 * Connect pacing against a deployed stack: far under API Gateway's account quota of 500 new
 * connections/s, and under our stage's default throttling rate (terraform `throttle_rate_limit`,
 * 50 requests/s, which connects count against), so a default run is not throttled.
 */
export const DEFAULT_REMOTE_CONNECT_RATE = 40;

/** Every flag's default, stated once: the parser fills them in and `--help` prints them. */
export const BENCH_DEFAULTS = {
  clients: 1000,
  messages: 30,
  warmup: 3,
  rate: 0,
  senders: 0,
  connectConcurrency: 50,
  messageTimeoutMs: 10_000,
  fanoutRecipients: [1000, 10_000],
  fanoutMemory: [LOCAL_STACK_DEFAULTS.memoryMb],
  fanoutRoundTripMs: 20,
  fanoutRounds: 3,
  fanoutPosterPosts: 2000,
  pushbackBudgets: [1000, 500],
  pushbackRecipients: 10_000,
  faultsRecipients: 10_000,
  faultsQueueDownRecipients: 30_000,
  faultsOutageMs: 8000,
  roomsConnections: 10_000,
  roomsMembers: 10,
  roomsRounds: 5,
} as const;
const D = BENCH_DEFAULTS;

/** Text printed by `--help`. */
export const HELP_TEXT = `Usage: npm run bench -- [options]

Runs the benchmarks and prints their figures. All traffic stays on 127.0.0.1 unless --url is given.

Benchmarks:
  --only LIST                 comma-separated subset of: ${BENCHMARK_NAMES.join(', ')} (default: all)

Load (N WebSocket clients; one message must reach all N-1 others):
  --clients N                 clients to connect (default ${D.clients})
  --sweep LIST                run the load benchmark for each client count, e.g. 100,500,1000,2000
  --messages M                measured messages (default ${D.messages})
  --warmup W                  unmeasured messages sent first (default ${D.warmup})
  --rate R                    messages per second; 0 = back to back, each after the last arrived (default ${D.rate})
  --senders S                 distinct clients that take turns sending; 0 = all (default ${D.senders})
  --connect-rate C            new connections per second; 0 = unpaced
                              (default 0 locally, ${DEFAULT_REMOTE_CONNECT_RATE} with --url)
  --connect-concurrency K     handshakes in flight at once (default ${D.connectConcurrency})
  --message-timeout-ms T      after T ms a message's missing receipts count as lost (default ${D.messageTimeoutMs})
  --no-baseline               skip both baselines: the bare ws server and the naive handler
  --url wss://...             load a deployed stack instead of the local one (costs money; see docs/benchmarks.md)
  --origin ORIGIN             Origin header for the handshakes (default: the local page's origin)

Fan-out (the Lambda bundle and its shard workers at Lambda's CPU share, posting to a
management endpoint that answers after a round trip):
  --fanout-recipients LIST    recipients per broadcast (default ${D.fanoutRecipients.join(',')})
  --fanout-memory LIST        Lambda memory sizes in MB (default ${D.fanoutMemory.join(',')}, Terraform's default)
  --fanout-round-trip-ms D    time the endpoint takes to answer each post (default ${D.fanoutRoundTripMs})
  --fanout-rounds N           measured broadcasts per setting, after one warm-up (default ${D.fanoutRounds});
                              also pushback and faults
  --fanout-shard-size N       recipients per invocation (default: the function's, by memory); also
                              pushback and faults
  --fanout-poster-posts N     posts per round when measuring CPU per post (default ${D.fanoutPosterPosts})

Pushback (the fan-out's set-up at the default memory, against the account's callback budget;
--fanout-round-trip-ms applies):
  --pushback-budgets LIST     posts/s of the account throttle and the function's budget, one run
                              each (default ${D.pushbackBudgets.join(',')})
  --pushback-recipients N     recipients per throttled broadcast (default ${D.pushbackRecipients})

Faults (the fan-out's set-up at the default memory, while @connections or SQS fails):
  --faults-recipients N       recipients through the outage and the refused hand-offs (default ${D.faultsRecipients})
  --faults-queue-down-recipients N
                              recipients while SQS refuses every shard (default ${D.faultsQueueDownRecipients})
  --faults-outage-ms T        how long @connections answers 500 (default ${D.faultsOutageMs})

Rooms (the real bundle on the local stack; every connection a real WebSocket client):
  --rooms-connections N       connections open in all (default ${D.roomsConnections}), connected
                              --connect-concurrency at a time; all but the members share one other room
  --rooms-members M           members of the room a message goes to (default ${D.roomsMembers})
  --rooms-rounds R            measured messages to that room, and measured joins that read a full
                              history, each after one warm-up (default ${D.roomsRounds})

Output:
  --json                      print one JSON document on stdout (progress stays on stderr)
  --markdown                  print the tables as Markdown and write them to docs/benchmark-figures.md
  -h, --help                  show this text

Ctrl-C stops cleanly and prints the figures measured so far.`;

/**
 * Parses and validates `npm run bench` flags.
 * @param argv - the arguments after the script name (process.argv.slice(2))
 * @returns the validated options
 * @throws UsageError for an unknown flag, a missing value or a value out of range
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const values = readFlags(argv, FLAGS, "Run 'npm run bench -- --help' for the flags.");
  // Each reads the flag it is given by name, so a flag's value and its error name it once.
  const integer = <F extends number | undefined>(
    flag: ValueFlag,
    fallback: F,
    min: number,
  ): number | F => parseInteger(`--${flag}`, values[flag], fallback, min);
  const number = (flag: ValueFlag, fallback: number): number =>
    parseNumber(`--${flag}`, values[flag], fallback);
  const list = (flag: ValueFlag, fallback: readonly number[], min: number): number[] =>
    parseIntegerList(`--${flag}`, values[flag] ?? fallback.join(','), min);
  const url = values.url === undefined ? undefined : parseWebSocketUrl(values.url);
  const sweep = values.sweep === undefined ? undefined : list('sweep', [], 2);
  if (sweep !== undefined && values.clients !== undefined) {
    throw new UsageError('--clients and --sweep cannot be combined; use one of them');
  }
  const roomsMembers = integer('rooms-members', D.roomsMembers, 2);
  return {
    help: values.help === true,
    json: values.json === true,
    markdown: values.markdown === true,
    only: values.only === undefined ? [...BENCHMARK_NAMES] : parseBenchmarkNames(values.only),
    clientCounts: sweep ?? [integer('clients', D.clients, 2)],
    messages: integer('messages', D.messages, 1),
    warmup: integer('warmup', D.warmup, 0),
    rate: number('rate', D.rate),
    senders: integer('senders', D.senders, 0),
    connectRate: number('connect-rate', url === undefined ? 0 : DEFAULT_REMOTE_CONNECT_RATE),
    connectConcurrency: integer('connect-concurrency', D.connectConcurrency, 1),
    url,
    origin: values.origin === undefined ? undefined : parseOrigin(values.origin),
    messageTimeoutMs: integer('message-timeout-ms', D.messageTimeoutMs, 1),
    baseline: values['no-baseline'] !== true && url === undefined,
    fanoutRecipients: list('fanout-recipients', D.fanoutRecipients, 1),
    fanoutMemory: list('fanout-memory', D.fanoutMemory, 128),
    fanoutRoundTripMs: number('fanout-round-trip-ms', D.fanoutRoundTripMs),
    fanoutRounds: integer('fanout-rounds', D.fanoutRounds, 1),
    fanoutShardSize: integer('fanout-shard-size', undefined, 1),
    fanoutPosterPosts: integer('fanout-poster-posts', D.fanoutPosterPosts, 1),
    pushbackBudgets: list('pushback-budgets', D.pushbackBudgets, 1),
    pushbackRecipients: integer('pushback-recipients', D.pushbackRecipients, 1),
    faultsRecipients: integer('faults-recipients', D.faultsRecipients, 1),
    faultsQueueDownRecipients: integer(
      'faults-queue-down-recipients',
      D.faultsQueueDownRecipients,
      1,
    ),
    faultsOutageMs: integer('faults-outage-ms', D.faultsOutageMs, 1),
    // The other room needs at least one connection.
    roomsConnections: integer(
      'rooms-connections',
      Math.max(D.roomsConnections, roomsMembers + 1),
      roomsMembers + 1,
    ),
    roomsMembers,
    roomsRounds: integer('rooms-rounds', D.roomsRounds, 1),
  };
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  only: { type: 'string' },
  clients: { type: 'string' },
  sweep: { type: 'string' },
  messages: { type: 'string' },
  warmup: { type: 'string' },
  rate: { type: 'string' },
  senders: { type: 'string' },
  'connect-rate': { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'message-timeout-ms': { type: 'string' },
  'no-baseline': { type: 'boolean' },
  url: { type: 'string' },
  origin: { type: 'string' },
  'fanout-recipients': { type: 'string' },
  'fanout-memory': { type: 'string' },
  'fanout-round-trip-ms': { type: 'string' },
  'fanout-rounds': { type: 'string' },
  'fanout-shard-size': { type: 'string' },
  'fanout-poster-posts': { type: 'string' },
  'pushback-budgets': { type: 'string' },
  'pushback-recipients': { type: 'string' },
  'faults-recipients': { type: 'string' },
  'faults-queue-down-recipients': { type: 'string' },
  'faults-outage-ms': { type: 'string' },
  'rooms-connections': { type: 'string' },
  'rooms-members': { type: 'string' },
  'rooms-rounds': { type: 'string' },
} as const;

/** The flags that take a value; each option's flag is its name in kebab case. */
type ValueFlag = {
  [F in keyof typeof FLAGS]: (typeof FLAGS)[F]['type'] extends 'string' ? F : never;
}[keyof typeof FLAGS];

function parseBenchmarkNames(raw: string): BenchmarkName[] {
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(BENCHMARK_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--only: unknown benchmark '${name}'; choose from ${BENCHMARK_NAMES.join(', ')}`,
      );
    }
  }
  // Keep the canonical order whatever order the user typed, and drop repeats.
  return BENCHMARK_NAMES.filter((name) => names.includes(name));
}

function parseWebSocketUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new UsageError(`--url is not a URL: '${raw}'`, { cause: error });
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new UsageError(`--url must start with wss:// (or ws://), got '${raw}'`);
  }
  return url.toString();
}

function parseOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch (error) {
    throw new UsageError(`--origin must be an origin such as https://example.com, got '${raw}'`, {
      cause: error,
    });
  }
}
