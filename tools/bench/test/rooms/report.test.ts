import { describe, expect, it } from 'vitest';
import type {
  HistoryJoin,
  HistoryRun,
  MessageRound,
  RoomsBenchmarkResult,
} from '../../src/rooms/benchmark.ts';
import { checkRoomsTargets, roomsTables } from '../../src/rooms/report.ts';

const round = (overrides: Partial<MessageRound> = {}): MessageRound => ({
  client: 'v3',
  posts: 9,
  postsOutsideRoom: 0,
  roomQueries: 1,
  scans: 0,
  itemsRead: 10,
  readUnits: 0.5,
  readMs: 2,
  requests: { PutItem: 1, Query: 1, UpdateItem: 3 },
  requestReadUnits: 0.5,
  requestWriteUnits: 7,
  logged: { listed: 10, pages: 1, delivered: 9, handedOff: 0 },
  membersReached: 9,
  duplicates: 0,
  crowdFrames: 0,
  lastDeliveryMs: 20,
  ...overrides,
});

const join = (overrides: Partial<HistoryJoin> = {}): HistoryJoin => ({
  frames: 3,
  frameBytes: [128_812, 128_812, 64_452],
  messages: 50,
  messageBytes: 321_750,
  completeInOrder: true,
  partsNumbered: true,
  withinLimit: true,
  fewestFrames: true,
  receiveMs: 90,
  queries: 1,
  itemsRead: 51,
  bytesRead: 326_302,
  readUnits: 40,
  logged: { outcome: 'history', frames: 3, framesDelivered: 3 },
  ...overrides,
});

const history = (joins: HistoryJoin[]): HistoryRun => ({
  messages: 50,
  messageLength: 2000,
  maxFrameBytes: 131_072,
  warmUp: join(),
  joins,
});

const result = (overrides: Partial<RoomsBenchmarkResult> = {}): RoomsBenchmarkResult => ({
  connections: 10_000,
  open: 10_000,
  connectFailures: {},
  connectWallMs: 60_000,
  members: 10,
  warmUp: round(),
  rounds: [round(), round(), round()],
  scan: { pages: 2, itemsRead: 10_000, found: 10, readUnits: 120, readMs: 400 },
  history: history([join(), join()]),
  invocationErrors: [],
  ...overrides,
});

describe('checkRoomsTargets', () => {
  it('meets both targets when a message costs its members only and every join gets the whole history', () => {
    // Act
    const checks = checkRoomsTargets(result());

    // Assess
    expect(checks.map((check) => check.met)).toEqual([true, true, true]);
    for (const check of checks)
      expect(check).toMatchObject({ description: /^rooms: /, decides: true });
    expect(checks[0]?.measured).toContain(
      'at most 9 posts, 1 page(s), 10 items read (0.5 read units), 0 Scans',
    );
    expect(checks[0]?.measured).toContain('a Scan reads 10,000 items (120 read units)');
    expect(checks[1]?.measured).toBe('with a client id: at most 5');
    expect(checks[2]?.measured).toBe('3/3 joins; 3 frames of at most 128,812 bytes');
  });

  it.each<[string, Partial<RoomsBenchmarkResult>]>([
    ['a post too many', { rounds: [round(), round({ posts: 11 })] }],
    ['a second Query page', { rounds: [round({ roomQueries: 2 })] }],
    [
      'a second page in the log only',
      { rounds: [round({ logged: { listed: 10, pages: 2, delivered: 9, handedOff: 0 } })] },
    ],
    ['no log line', { rounds: [round({ logged: undefined })] }],
    ['a Scan', { warmUp: round({ scans: 1 }) }],
    ['a post outside the room', { rounds: [round({ postsOutsideRoom: 1 })] }],
    ['a frame at another room', { rounds: [round({ crowdFrames: 1 })] }],
    ['a member missed', { rounds: [round({ membersReached: 8 })] }],
    ['a member reached twice', { rounds: [round({ duplicates: 1 })] }],
    ['fewer connections open than asked for', { open: 9_990 }],
  ])('misses the message target with %s', (_, overrides) => {
    const [message] = checkRoomsTargets(result(overrides));

    expect(message?.met).toBe(false);
  });

  it.each<[string, Partial<HistoryJoin>]>([
    ['a message missing or out of order', { completeInOrder: false }],
    ['parts numbered wrong', { partsNumbered: false }],
    ['a frame over the limit', { withinLimit: false }],
    ['more frames than the limit needs', { fewestFrames: false }],
  ])('misses the history target with %s in one join', (_, overrides) => {
    const [, , check] = checkRoomsTargets(result({ history: history([join(), join(overrides)]) }));

    expect(check?.met).toBe(false);
    expect(check?.measured).toMatch(/^2\/3 joins/);
  });

  it('judges only the parts that ran', () => {
    expect(checkRoomsTargets(result({ history: undefined }))).toHaveLength(2);
    expect(checkRoomsTargets(result({ warmUp: undefined, rounds: [] }))).toHaveLength(1);
  });

  it('allows a message one DynamoDB request more with a client id than without, and no more', () => {
    // Prepare: before protocol 3 a message cost 4 requests
    const v3 = (requests: number) =>
      round({ client: 'v3', requests: { Query: 1, UpdateItem: requests - 1 } });
    const old = (requests: number) =>
      round({ client: 'old', requests: { Query: 1, UpdateItem: requests - 1 } });
    const cost = (rounds: MessageRound[]) =>
      checkRoomsTargets(result({ warmUp: undefined, rounds, history: undefined }))[1];

    // Act / Assess
    expect(cost([v3(5), old(4)])).toMatchObject({
      met: true,
      measured: 'with a client id: at most 5, without: at most 4',
      decides: true,
    });
    expect(cost([v3(6), old(4)])?.met).toBe(false);
    expect(cost([v3(5), old(5)])?.met).toBe(false);
  });
});

describe('roomsTables', () => {
  it('shows the cost per message, the Query against the Scan as ratios, and the history', () => {
    // Act
    const [message, , read, joins] = roomsTables(result());

    // Assess
    expect(message?.title).toBe(
      'Rooms: one message to a room of 10 while 10,000 connections are open (3 messages)',
    );
    expect(message?.rows[0]).toEqual(['posts to @connections', '9', '9', 'recorder']);
    expect(message?.notes).toContain(
      'DynamoDB requests of a message: 1 PutItem, 1 Query, 3 UpdateItem',
    );
    expect(read?.rows.map((row) => [row[2], row[4], row[6], row[7]])).toEqual([
      ['10', '0.5', '1.0x', '1.0x'],
      ['10,000', '120', '1000.0x', '240.0x'],
    ]);
    expect(joins?.rows).toContainEqual(['bytes per frame', '128,812 + 128,812 + 64,452']);
    expect(joins?.rows).toContainEqual(['messages complete and in order', 'yes, all 3 joins']);
    expect(joins?.rows).toContainEqual(['frames delivered (function log)', '3 of 3, all 3 joins']);
  });

  it("shows each sender's DynamoDB cost against the old client's", () => {
    // Act
    const [, cost] = roomsTables(
      result({
        rounds: [
          round({
            client: 'v3',
            requests: { Query: 1, TransactWriteItems: 1, UpdateItem: 2, PutItem: 1 },
          }),
          round({
            client: 'old',
            requests: { Query: 1, PutItem: 1, UpdateItem: 2 },
            requestWriteUnits: 3,
          }),
        ],
      }),
    );

    // Assess
    expect(cost?.rows).toEqual([
      [
        'protocol 3, with a client id',
        '5',
        '1 PutItem, 1 Query, 1 TransactWriteItems, 2 UpdateItem',
        '0.5',
        '7',
        '+1',
      ],
      ['old client, no client id', '4', '1 PutItem, 1 Query, 2 UpdateItem', '0.5', '3', '+0'],
    ]);
  });

  it('says how long the other connections took, and why any of them failed', () => {
    const [message] = roomsTables(
      result({ open: 9_998, connectFailures: { 'connect EMFILE 127.0.0.1:3001': 2 } }),
    );

    expect(message?.notes?.[0]).toContain(
      'the other 9,988 share one room of their own and connected in 60 s',
    );
    expect(message?.notes).toContain('2 handshakes failed: connect EMFILE 127.0.0.1:3001');
  });

  it('says which invocations failed, as the stack logged them', () => {
    const [message] = roomsTables(
      result({ invocationErrors: ['$default    abc= failed: Sandbox.Timedout (10002 ms)'] }),
    );

    expect(message?.notes).toContain(
      '1 invocation failed or timed out, e.g. $default    abc= failed: Sandbox.Timedout (10002 ms)',
    );
  });

  it('shows a dash for counts the function never logged', () => {
    const [message] = roomsTables(result({ rounds: [round({ logged: undefined })] }));

    expect(message?.rows.find((row) => row[0] === 'members listed')).toEqual([
      'members listed',
      '-',
      '-',
      'function log',
    ]);
  });
});
