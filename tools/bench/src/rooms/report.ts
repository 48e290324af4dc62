/**
 * The rooms benchmark's tables and target checks. Pure.
 */
import type { Table, TargetCheck } from '../common/report.ts';
import { formatCount, formatMs, formatRatio, median, sum } from '../common/report.ts';
import type {
  ClientKind,
  HistoryJoin,
  MessageRound,
  RoomsBenchmarkResult,
  ScanBaseline,
} from './benchmark.ts';

/** The targets and their reasons: docs/benchmarks.md, "Targets". */
export const ROOMS_TARGETS = {
  /**
   * DynamoDB requests a message to a small room may cost, by its sender's protocol: before
   * protocol 3 every message cost 4 (rate limit, serial, history, members Query); a client id
   * may add one (its claim; the commit replaces the history's put), an old client's none.
   */
  maxRequests: { v3: 5, old: 4 } as Readonly<Record<ClientKind, number>>,
} as const;

/**
 * The tables: what a message to the room cost, the room's read against a Scan of the same table,
 * and what a joining client received of the history.
 * @param result - the benchmark's figures
 * @returns the tables
 */
export function roomsTables(result: RoomsBenchmarkResult): Table[] {
  const tables: Table[] = [];
  const rounds = measuredRounds(result);
  if (rounds.length > 0) tables.push(messageTable(result, rounds), costTable(result, rounds));
  if (rounds.length > 0 && result.scan !== undefined) tables.push(readTable(result, rounds));
  if (result.history !== undefined) tables.push(historyTable(result.history));
  return tables;
}

function measuredRounds(result: RoomsBenchmarkResult): readonly MessageRound[] {
  if (result.rounds.length > 0) return result.rounds;
  return result.warmUp === undefined ? [] : [result.warmUp];
}

function messageTable(result: RoomsBenchmarkResult, rounds: readonly MessageRound[]): Table {
  const others = result.open - result.members;
  const figure = (pick: (round: MessageRound) => number): [string, string] => [
    countOrDash(median(rounds.map(pick))),
    countOrDash(Math.max(...rounds.map(pick))),
  ];
  const logged = (pick: (counts: NonNullable<MessageRound['logged']>) => number) =>
    figure((round) => (round.logged === undefined ? Number.NaN : pick(round.logged)));
  return {
    title: `Rooms: one message to a room of ${formatCount(result.members)} while ${formatCount(result.open)} connections are open (${plural(rounds.length, 'message')})`,
    headings: ['per message', 'median', 'most', 'seen by'],
    rows: [
      ['posts to @connections', ...figure((round) => round.posts), 'recorder'],
      [
        'posts to connections outside the room',
        ...figure((round) => round.postsOutsideRoom),
        'recorder',
      ],
      [
        `members reached (of ${result.members - 1})`,
        ...figure((round) => round.membersReached),
        'clients',
      ],
      [
        `frames at the ${formatCount(others)} other connections`,
        ...figure((round) => round.crowdFrames),
        'clients',
      ],
      ['Query pages of the room', ...figure((round) => round.roomQueries), 'recorder'],
      ['Query pages of the room', ...logged((counts) => counts.pages), 'function log'],
      ['members listed', ...logged((counts) => counts.listed), 'function log'],
      ['delivered', ...logged((counts) => counts.delivered), 'function log'],
      ['Scans', ...figure((round) => round.scans), 'recorder'],
      ['items read', ...figure((round) => round.itemsRead), 'recorder'],
      ['read units', ...figure((round) => round.readUnits), 'recorder'],
      [
        'DynamoDB requests in all',
        ...figure((round) => sum(Object.values(round.requests))),
        'recorder',
      ],
      [
        'time to the last member',
        formatMs(median(rounds.map((round) => round.lastDeliveryMs))),
        formatMs(Math.max(...rounds.map((round) => round.lastDeliveryMs))),
        'clients',
      ],
    ],
    notes: [
      `every connection is a real WebSocket client that went through $connect; the other ${formatCount(others)} share one room of their own and connected in ${formatCount(Math.round(result.connectWallMs / 1000))} s`,
      ...Object.entries(result.connectFailures).map(
        ([reason, count]) => `${formatCount(count)} handshakes failed: ${reason}`,
      ),
      `DynamoDB requests of a message: ${requestMix((rounds.find((round) => round.client === 'old') ?? rounds[0])?.requests ?? {})}`,
      'half the members speak protocol 3 and send a client id: their messages also post an ack to the sender, not counted among the posts',
      'recorder: every request the function made to DynamoDB and to @connections, counted between the two',
      ...(result.invocationErrors.length === 0
        ? []
        : [
            `${plural(result.invocationErrors.length, 'invocation')} failed or timed out, e.g. ${result.invocationErrors[0]}`,
          ]),
    ],
  };
}

/** What a message costs in DynamoDB, by its sender's protocol. */
function costTable(result: RoomsBenchmarkResult, rounds: readonly MessageRound[]): Table {
  const old = rounds.filter((round) => round.client === 'old');
  const oldRequests = median(old.map(requestCount));
  return {
    title: `Rooms: what a message to the room of ${formatCount(result.members)} costs in DynamoDB, by its sender (median of ${plural(Math.min(...CLIENTS.map((kind) => rounds.filter((round) => round.client === kind).length)), 'message')} each)`,
    headings: ['sender', 'requests', 'of which', 'read units', 'write units', 'requests vs old'],
    rows: CLIENTS.flatMap((kind) => {
      const mine = rounds.filter((round) => round.client === kind);
      if (mine.length === 0) return [];
      const requests = median(mine.map(requestCount));
      return [
        [
          kind === 'v3' ? 'protocol 3, with a client id' : 'old client, no client id',
          formatCount(requests),
          requestMix(mine[0]?.requests ?? {}),
          formatCount(median(mine.map((round) => round.requestReadUnits))),
          formatCount(median(mine.map((round) => round.requestWriteUnits))),
          Number.isNaN(oldRequests)
            ? '-'
            : `${requests - oldRequests >= 0 ? '+' : ''}${requests - oldRequests}`,
        ],
      ];
    }),
    notes: [
      'the baseline: the old client, whose message costs what every message cost before protocol 3 (4 requests: rate limit, serial, history, members Query)',
      "units: as DynamoDB's answers report them (ReturnConsumedCapacity, which the recorder asks for): a transaction's writes count twice",
    ],
  };
}

const CLIENTS: readonly ClientKind[] = ['v3', 'old'];

function requestCount(round: MessageRound): number {
  return sum(Object.values(round.requests));
}

function readTable(result: RoomsBenchmarkResult, rounds: readonly MessageRound[]): Table {
  const scan = result.scan as ScanBaseline;
  const query: ScanBaseline = {
    pages: median(rounds.map((round) => round.roomQueries)),
    itemsRead: median(rounds.map((round) => round.itemsRead)),
    readUnits: median(rounds.map((round) => round.readUnits)),
    readMs: median(rounds.map((round) => round.readMs)),
    found: median(rounds.map((round) => round.logged?.listed ?? Number.NaN)),
  };
  return {
    title: `Rooms: reading the room of ${formatCount(result.members)}, against a Scan of the same table (same run)`,
    headings: [
      'read',
      'requests',
      'items read',
      'members found',
      'read units',
      'time on dynalite',
      'items read vs Query',
      'read units vs Query',
    ],
    rows: [query, scan].map((read) => [
      read === query
        ? 'Query on the room index (the function)'
        : 'Scan with the room as a filter (baseline)',
      formatCount(read.pages),
      formatCount(read.itemsRead),
      formatCount(read.found),
      formatCount(read.readUnits),
      formatMs(read.readMs),
      ...(read === query
        ? ['1.0x', '1.0x']
        : [
            formatRatio(read.itemsRead, query.itemsRead),
            formatRatio(read.readUnits, query.readUnits),
          ]),
    ]),
    notes: [
      "read units: as dynalite reports them, by DynamoDB's rule: the items read before any filter, their sizes summed and rounded up to 4 KB, half a unit per 4 KB (eventually consistent); exact here, as these items are ASCII",
      "time on dynalite: the reads' answer time on this machine (the Scan's: median of 3), not DynamoDB's",
    ],
  };
}

function historyTable(history: NonNullable<RoomsBenchmarkResult['history']>): Table {
  const joins = history.joins.length > 0 ? history.joins : [history.warmUp];
  const all = [history.warmUp, ...history.joins];
  const largest = Math.max(...all.flatMap((join) => join.frameBytes));
  const sizes = [...new Set(all.map((join) => join.frameBytes.map(formatCount).join(' + ')))];
  return {
    title: `Rooms: a joining client's history of ${history.messages} messages of ${formatCount(history.messageLength)} three-byte characters (${plural(joins.length, 'join')}${history.joins.length > 0 ? ' after a warm-up; checks over all' : ''})`,
    headings: ['per join', 'measured'],
    rows: [
      ['bytes of the messages in all', formatCount(median(joins.map((join) => join.messageBytes)))],
      ['history frames', formatCount(median(joins.map((join) => join.frames)))],
      ['bytes per frame', sizes.join('; ')],
      ['largest frame', `${formatCount(largest)} (limit ${formatCount(history.maxFrameBytes)})`],
      ['messages complete and in order', verdict(all, (join) => join.completeInOrder)],
      ['fewest frames the limit allows', verdict(all, (join) => join.fewestFrames)],
      ['frames delivered (function log)', deliveredFrames(all)],
      ['rooms table Query pages', formatCount(median(joins.map((join) => join.queries)))],
      ['items read', formatCount(median(joins.map((join) => join.itemsRead)))],
      ['bytes read', countOrDash(median(joins.map((join) => join.bytesRead)))],
      ['read units', countOrDash(median(joins.map((join) => join.readUnits)))],
      ['time to the full history (median)', formatMs(median(joins.map((join) => join.receiveMs)))],
      ['time to the full history (first join)', formatMs(history.warmUp.receiveMs)],
    ],
    notes: [
      'time: from the history request to the last history frame',
      'read: the Query of the rooms table that reads the room (its head count and kept messages); bytes: its items sized as DynamoDB sizes them (UTF-8), half a read unit per 4 KB',
    ],
  };
}

/**
 * Checks the figures against the targets (docs/benchmarks.md, "Targets"). Both are counts,
 * not speeds: either is met on any machine, or something is wrong, so both decide the exit code.
 * @param result - the benchmark's figures
 * @returns one check per part that ran
 */
export function checkRoomsTargets(result: RoomsBenchmarkResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const all = [...(result.warmUp === undefined ? [] : [result.warmUp]), ...result.rounds];
  if (all.length > 0) {
    const most = (pick: (round: MessageRound) => number): number => Math.max(...all.map(pick));
    const everyMemberOnce = all.every(
      (round) => round.membersReached === result.members - 1 && round.duplicates === 0,
    );
    const pages = most((round) => Math.max(round.roomQueries, round.logged?.pages ?? Infinity));
    const met =
      result.open === result.connections &&
      most((round) => round.posts) <= result.members &&
      pages === 1 &&
      most((round) => round.scans) === 0 &&
      most((round) => round.postsOutsideRoom + round.crowdFrames) === 0 &&
      everyMemberOnce;
    const scan = result.scan;
    checks.push({
      description: `rooms: a message to a room of ${formatCount(result.members)} with ${formatCount(result.connections)} connections open costs at most ${formatCount(result.members)} posts and one Query page, never a Scan, and reaches its members only, once each`,
      met,
      measured:
        `${formatCount(result.open)} open; at most ${formatCount(most((round) => round.posts))} posts, ` +
        `${Number.isFinite(pages) ? formatCount(pages) : 'unlogged'} page(s), ${formatCount(most((round) => round.itemsRead))} items read ` +
        `(${formatCount(most((round) => round.readUnits))} read units), ${formatCount(most((round) => round.scans))} Scans, ` +
        `${formatCount(most((round) => round.postsOutsideRoom + round.crowdFrames))} outside the room, ` +
        `${everyMemberOnce ? 'every member once' : 'members missed or repeated'} over ${all.length} messages` +
        (scan === undefined
          ? ''
          : `; a Scan reads ${formatCount(scan.itemsRead)} items (${formatCount(scan.readUnits)} read units)`),
      decides: true,
    });
  }
  checks.push(...checkRequests(all));
  const history = result.history;
  if (history !== undefined) {
    const joins = [history.warmUp, ...history.joins];
    const good = (join: HistoryJoin): boolean =>
      join.completeInOrder && join.partsNumbered && join.withinLimit && join.fewestFrames;
    checks.push({
      description: `rooms: a history of ${history.messages} messages of the largest length reaches a joining client complete and in order, in the fewest frames within ${formatCount(history.maxFrameBytes)} bytes`,
      met: joins.every(good),
      measured: `${joins.filter(good).length}/${joins.length} joins; ${[...new Set(joins.map((join) => join.frames))].join(', ')} frames of at most ${formatCount(Math.max(...joins.flatMap((join) => join.frameBytes)))} bytes`,
      decides: true,
    });
  }
  return checks;
}

/** Per sender's protocol that sent: its messages cost at most the target's DynamoDB requests. */
function checkRequests(all: readonly MessageRound[]): TargetCheck[] {
  const sent = CLIENTS.filter((kind) => all.some((round) => round.client === kind));
  if (sent.length === 0) return [];
  const most = (kind: ClientKind): number =>
    Math.max(...all.filter((round) => round.client === kind).map(requestCount));
  const limits = ROOMS_TARGETS.maxRequests;
  return [
    {
      description: `rooms: a message to the room costs at most ${limits.v3} DynamoDB requests with a client id, ${limits.old} without (before protocol 3: 4)`,
      met: sent.every((kind) => most(kind) <= limits[kind]),
      measured: sent
        .map((kind) => `${kind === 'v3' ? 'with a client id' : 'without'}: at most ${most(kind)}`)
        .join(', '),
      decides: true,
    },
  ];
}

/** The function's own count of frames it posted, as `3 of 3`, or what it did instead. */
function deliveredFrames(joins: readonly HistoryJoin[]): string {
  const said = joins.map((join) =>
    join.logged === undefined
      ? 'no log line'
      : join.logged.outcome === 'history'
        ? `${join.logged.framesDelivered} of ${join.logged.frames}`
        : join.logged.outcome,
  );
  const distinct = [...new Set(said)];
  return distinct.length === 1 ? `${distinct[0]}, all ${joins.length} joins` : said.join('; ');
}

function verdict(joins: readonly HistoryJoin[], holds: (join: HistoryJoin) => boolean): string {
  const passed = joins.filter(holds).length;
  return passed === joins.length
    ? `yes, all ${joins.length} joins`
    : `NO: ${passed}/${joins.length} joins`;
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** A count, or `-` for one that is unknown (NaN). */
function countOrDash(value: number): string {
  return Number.isNaN(value) ? '-' : formatCount(value);
}

function requestMix(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([operation, count]) => `${count} ${operation}`)
    .join(', ');
}
