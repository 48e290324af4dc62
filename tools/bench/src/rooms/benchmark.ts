/**
 * The rooms benchmark: the real bundle on the local stack (dynalite, the gateway, the local
 * `@connections` API), with every connection a real WebSocket client that went through `$connect`.
 *
 * 1. A message to a small room while many connections are open: what it really cost, from
 *    recorders between the function and DynamoDB and between the function and `@connections`
 *    (every request and post it made, the items each read and their read units), from the
 *    function's own log line (`listed`, `pages`, `delivered`), and from the clients (the members
 *    each got it once; the other connections got nothing). The baseline, in the same run and the
 *    same table: a Scan for the same room, as a design without the room index would read it.
 * 2. The history: 50 messages of the largest length, in the characters with the most bytes, then
 *    clients that join and ask for the history; each must get every message, in order, in frames
 *    within PostToConnection's limit and no more frames than that limit needs.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { WebSocket } from 'ws';
import { toEpochSeconds } from '../../../../backend/src/rooms/connection-store.ts';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_STACK_DEFAULTS } from '../../../local-stack/src/defaults.ts';
import { localDynamoDbClient } from '../../../local-stack/src/dynamodb.ts';
import { type LocalStack, startLocalStack } from '../../../local-stack/src/stack.ts';
import { openClient, sleep, waitFor } from '../common/clients.ts';
import type { Progress } from '../common/progress.ts';
import { formatCount, median, sum } from '../common/report.ts';
import { jsonFields } from '../load/chat-event.ts';
import type { BenchOptions } from '../options.ts';
import { type Crowd, type CrowdStatus, startCrowd } from './crowd.ts';
import {
  checkHistory,
  type HistoryCheck,
  type SentMessage,
  worstCaseText,
} from './history-check.ts';
import {
  askForConsumedCapacity,
  type BroadcastLogCounts,
  broadcastLogCounts,
  connectedTo,
  type DynamoCall,
  dynamoCallOf,
  eventuallyConsistentReadUnits,
  type HistoryLogCounts,
  historyLogCounts,
  type MessageCost,
  messageCost,
  postedTo,
} from './recorded-calls.ts';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.ts';

/** Which protocol a message's sender speaks: 3, with a client id on every message, or the old one. */
export type ClientKind = 'v3' | 'old';

/** One message to the measured room. */
export interface MessageRound extends MessageCost {
  /** Its sender's protocol: a v3 client's message is claimed and committed under its client id. */
  readonly client: ClientKind;
  /** Members other than the sender that received it. */
  readonly membersReached: number;
  /** Copies members received beyond one each. */
  readonly duplicates: number;
  /** Frames of any kind the other room's connections received meanwhile. */
  readonly crowdFrames: number;
  /** From the send to the last member's receipt. */
  readonly lastDeliveryMs: number;
}

/** The same room read with a Scan of the whole table, as a design without the index would. */
export interface ScanBaseline {
  /** Scan requests: pages of up to 1 MB of items. */
  readonly pages: number;
  readonly itemsRead: number;
  /** Members the filter kept. */
  readonly found: number;
  readonly readUnits: number;
  /** Median over the Scans made, each summed over its pages. */
  readonly readMs: number;
}

/** One client that joined the history's room and asked for the history. */
export interface HistoryJoin extends HistoryCheck {
  /** From the history request to the last history frame. */
  readonly receiveMs: number;
  /** The rooms table's Query for the history and head count: pages, items, bytes, read units. */
  readonly queries: number;
  readonly itemsRead: number;
  /** The items' size as DynamoDB counts it; NaN when the filter left some out (then unknown). */
  readonly bytesRead: number;
  readonly readUnits: number;
  /** The function's own account of the request; undefined when its log line never came. */
  readonly logged: HistoryLogCounts | undefined;
}

/** The history part. */
export interface HistoryRun {
  readonly messages: number;
  /** Code units per message: the largest allowed. */
  readonly messageLength: number;
  readonly maxFrameBytes: number;
  readonly warmUp: HistoryJoin;
  readonly joins: readonly HistoryJoin[];
}

/** The whole rooms benchmark. */
export interface RoomsBenchmarkResult {
  /** Connections asked for in all, and how many were open when the messages went. */
  readonly connections: number;
  readonly open: number;
  readonly connectFailures: Readonly<Record<string, number>>;
  /** From the first of the other room's handshakes to the last. */
  readonly connectWallMs: number;
  /** Members of the measured room. */
  readonly members: number;
  readonly warmUp: MessageRound | undefined;
  readonly rounds: readonly MessageRound[];
  readonly scan: ScanBaseline | undefined;
  readonly history: HistoryRun | undefined;
  /** The stack's lines for invocations that failed or timed out (the first few). */
  readonly invocationErrors: readonly string[];
}

/** How long a message or a history may take before what is missing counts as lost. */
const ROUND_TIMEOUT_MS = 10_000;
/** After a message reached every member: time for stray posts to reach anyone else. */
const SETTLE_MS = 300;
const SCANS = 3;
const MAX_ERROR_LINES = 10;
/** Messages one history sender sends at once: inside its rate limit's burst, with room to spare. */
const MESSAGES_PER_SENDER = contract.limits.rateLimitBurst - 2;
const STAGE = LOCAL_STACK_DEFAULTS.stage;

/** A connected client and every frame it received, with when. */
interface Client {
  readonly socket: WebSocket;
  readonly kind: ClientKind;
  readonly frames: { readonly text: string; readonly at: number }[];
}

/** What the recorders and the function's log collect while the benchmark runs. */
interface Evidence {
  readonly calls: DynamoCall[];
  /** The connection ids the function posted a chat message to. */
  readonly posts: string[];
  readonly broadcasts: { readonly room: string; readonly counts: BroadcastLogCounts }[];
  readonly histories: HistoryLogCounts[];
  /** The stack's lines for invocations that failed or timed out (the gateway's own log). */
  readonly invocationErrors: string[];
  /** Connection ids by room, from the function's `$connect` lines (rooms of interest only). */
  readonly connected: Map<string, Set<string>>;
}

/**
 * Runs the benchmark.
 * @param options - the parsed flags
 * @param signal - Ctrl-C stops after the round in progress
 * @param progress - where to report progress
 * @returns the figures, as far as the run got
 */
export async function runRoomsBenchmark(
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<RoomsBenchmarkResult> {
  const rooms = roomsOfRun(options);
  const evidence = emptyEvidence([rooms.measured, rooms.history]);
  const run: RoomsRun = { options, signal, progress, rooms, evidence, stops: [] };
  try {
    const { dynamo, management } = await startRecorders(run);
    progress.log(
      `Rooms: ${options.roomsMembers} members in one room, ${formatCount(crowdSizeOf(options))} other connections in another`,
    );
    const stack = await startStack(dynamo, management, evidence);
    const clients = await connectClients(run, stack);
    const { crowdStatus, members } = clients;
    const setting = { runId: rooms.runId, room: rooms.measured, stack, evidence, ...clients };
    const messages = await measureMessages(run, setting);
    const scan = signal.aborted
      ? undefined
      : await scanBaseline(dynamo.url, stack, rooms.measured, evidence);
    const historySetting = { url: roomUrl(stack, rooms.history), stack, evidence };
    const history = signal.aborted
      ? undefined
      : await measureHistory(historySetting, options, signal, progress);
    return {
      connections: options.roomsConnections,
      open: members.length + crowdStatus.connected - crowdStatus.closed,
      connectFailures: crowdStatus.failureReasons,
      connectWallMs: crowdStatus.connectWallMs ?? Number.NaN,
      members: options.roomsMembers,
      ...messages,
      scan,
      history,
      invocationErrors: evidence.invocationErrors.slice(0, MAX_ERROR_LINES),
    };
  } finally {
    for (const stop of run.stops.splice(0).reverse()) await stop().catch(() => {});
  }
}

/** What every step of one run needs. */
interface RoomsRun {
  readonly options: BenchOptions;
  readonly signal: AbortSignal;
  readonly progress: Progress;
  readonly rooms: RunRooms;
  readonly evidence: Evidence;
  /** What the run started, stopped in reverse order when it ends. */
  readonly stops: (() => Promise<void>)[];
}

/** The rooms of one run: the measured room, the crowd's and the history's. */
interface RunRooms {
  readonly runId: string;
  readonly measured: string;
  readonly crowd: string;
  readonly history: string;
}

function roomsOfRun(options: BenchOptions): RunRooms {
  const runId = randomBytes(3).toString('hex');
  return {
    runId,
    measured: `room-of-${options.roomsMembers}`,
    crowd: `room-of-${crowdSizeOf(options)}-others`,
    // The largest room name, in every event and every history frame.
    history: `history-${runId}-`.padEnd(contract.limits.maxRoomNameLength, 'x'),
  };
}

/** The other room's connections: all but the measured room's members. */
function crowdSizeOf(options: BenchOptions): number {
  return options.roomsConnections - options.roomsMembers;
}

function roomUrl(stack: LocalStack, room: string): string {
  return `${stack.websocketUrl}?room=${room}`;
}

/** Nothing collected yet; `$connect` lines are kept for `rooms` only. */
function emptyEvidence(rooms: readonly string[]): Evidence {
  return {
    calls: [],
    posts: [],
    broadcasts: [],
    histories: [],
    invocationErrors: [],
    connected: new Map(rooms.map((room) => [room, new Set<string>()])),
  };
}

/**
 * The recorders between the function and DynamoDB (every request, with its consumed capacity)
 * and between the function and `@connections` (every post).
 */
async function startRecorders(
  run: RoomsRun,
): Promise<{ dynamo: RecordingProxy; management: RecordingProxy }> {
  const { evidence, stops } = run;
  const dynamo = await startRecordingProxy({
    rewrite: askForConsumedCapacity,
    record: (exchange) => {
      const call = dynamoCallOf(exchange);
      if (call !== undefined) evidence.calls.push(call);
    },
  });
  stops.push(dynamo.stop);
  const management = await startRecordingProxy({
    record: (exchange) => {
      const id = postedTo(exchange);
      // The message's posts; a v3 sender's ack is its own post, not part of the broadcast.
      const kind = jsonFields(exchange.requestBody.toString('utf8')).type;
      if (id !== undefined && kind === 'message') evidence.posts.push(id);
    },
  });
  stops.push(management.stop);
  return { dynamo, management };
}

/** Both rooms' clients, every one connected. */
interface ConnectedClients {
  readonly crowd: Crowd;
  readonly crowdStatus: CrowdStatus;
  readonly members: readonly Client[];
  /** The members' connection ids, from the function's `$connect` lines. */
  readonly memberIds: ReadonlySet<string>;
}

/**
 * Connects the crowd (in its own process) and the measured room's members, and waits until every
 * handshake is done and the function has logged every member's `$connect`.
 * @throws when any of the crowd's handshakes failed (see {@link tooFewConnections})
 */
async function connectClients(run: RoomsRun, stack: LocalStack): Promise<ConnectedClients> {
  const { options, rooms, stops } = run;
  const crowd = await startCrowd(
    roomUrl(stack, rooms.crowd),
    crowdSizeOf(options),
    options.connectConcurrency,
  );
  stops.push(crowd.stop);
  const members: Client[] = [];
  stops.push(async () => closeClients(members));
  // Stopped before the clients: the stack closes its side of every connection without a
  // $disconnect for each; then the clients and the crowd's process, then the recorders.
  stops.push(stack.stop);
  // Half the members speak protocol 3, half the old one: each round has a message of each.
  const url = roomUrl(stack, rooms.measured);
  const v3Members = Math.ceil(options.roomsMembers / 2);
  members.push(...(await openClients(url, v3Members, 'v3')));
  members.push(...(await openClients(url, options.roomsMembers - v3Members, 'old')));
  const crowdStatus = await crowdConnected(run, crowd, members.length);
  // The members' ids come from the function's `$connect` lines, which may lag a little.
  const memberIds = run.evidence.connected.get(rooms.measured) ?? new Set<string>();
  await waitFor(() => memberIds.size >= members.length, ROUND_TIMEOUT_MS);
  return { crowd, crowdStatus, members, memberIds };
}

/**
 * Waits until every handshake of the crowd succeeded or failed, reporting progress.
 * @throws when any failed (see {@link tooFewConnections})
 */
async function crowdConnected(run: RoomsRun, crowd: Crowd, members: number): Promise<CrowdStatus> {
  const { options, progress } = run;
  const crowdSize = crowdSizeOf(options);
  const status = await crowd.settled(
    (current) =>
      progress.update(
        `Rooms: connecting ${formatCount(current.connected + current.failed)}/${formatCount(crowdSize)} (${current.failed} failed)`,
      ),
    run.signal,
  );
  progress.log(
    `Rooms: ${formatCount(status.connected + members)} connections open (${status.failed} failed)`,
  );
  if (status.failed > 0) throw tooFewConnections(options.roomsConnections, status);
  return status;
}

/**
 * A warm-up message, then the measured rounds, as far as Ctrl-C lets them: each round a message
 * from a protocol 3 client, then one from an old client.
 */
async function measureMessages(
  run: RoomsRun,
  setting: MessageSetting,
): Promise<Pick<RoomsBenchmarkResult, 'warmUp' | 'rounds'>> {
  const { options, signal } = run;
  const warmUp = signal.aborted ? undefined : await measureMessage(setting, 0, 'v3');
  const rounds: MessageRound[] = [];
  for (let round = 1; round <= options.roomsRounds && !signal.aborted; round++) {
    run.progress.update(
      `Rooms: round ${round}/${options.roomsRounds} of messages to the room of ${setting.members.length}`,
    );
    for (const kind of ['v3', 'old'] as const)
      rounds.push(await measureMessage(setting, round, kind));
  }
  return { warmUp, rounds };
}

/** The stack, its DynamoDB and `@connections` traffic through the recorders. */
async function startStack(
  dynamo: RecordingProxy,
  management: RecordingProxy,
  evidence: Evidence,
): Promise<LocalStack> {
  const stack = await startLocalStack({
    env: {
      // The SDK's standard endpoint variable and the function's own: the bundle runs unchanged.
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      [contract.environment.apigwEndpoint]: `${management.url}/${STAGE}`,
    },
    log: (line) => {
      const connection = connectedTo(line);
      if (connection !== undefined) {
        evidence.connected.get(connection.room)?.add(connection.connectionId);
        return;
      }
      for (const room of evidence.connected.keys()) {
        const counts = broadcastLogCounts(line, room);
        if (counts !== undefined) evidence.broadcasts.push({ room, counts });
      }
      const history = historyLogCounts(line);
      if (history !== undefined) evidence.histories.push(history);
      if (/ (failed: |Endpoint request timed out)/.test(line)) {
        evidence.invocationErrors.push(line.replace(/^[\d:.]+ /, ''));
      }
    },
  });
  dynamo.forwardTo(stack.dynamoEndpoint);
  management.forwardTo(new URL(stack.managementEndpoint).origin);
  return stack;
}

/**
 * The claim is about a table of that many connections: with fewer, nothing would be measured
 * that was asked for. Most often the open-files limit is too low for both ends of every socket.
 */
function tooFewConnections(requested: number, crowd: CrowdStatus): Error {
  const reasons = Object.entries(crowd.failureReasons)
    .map(([reason, count]) => `${formatCount(count)} x ${reason}`)
    .join('; ');
  return new Error(
    `${formatCount(crowd.failed)} of ${formatCount(requested)} connections could not be opened (${reasons}). ` +
      `This process and the crowd's each hold one end of every connection, so each needs more than ` +
      `${formatCount(requested)} open files: raise the limit (e.g. \`ulimit -n ${Math.ceil((requested * 1.2) / 1000) * 1000}\`) ` +
      'or lower --rooms-connections.',
  );
}

async function openClients(
  url: string,
  count: number,
  kind: ClientKind = 'old',
): Promise<Client[]> {
  const versioned = kind === 'v3' ? `${url}&v=${contract.protocolVersion}` : url;
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = await openClient(versioned);
      const client: Client = { socket, kind, frames: [] };
      socket.on('message', (data: Buffer) => {
        client.frames.push({ text: data.toString('utf8'), at: performance.now() });
      });
      return client;
    }),
  );
}

async function closeClients(clients: readonly Client[]): Promise<void> {
  for (const client of clients) client.socket.terminate();
}

/** What one measured message needs. */
interface MessageSetting {
  readonly runId: string;
  readonly room: string;
  readonly members: readonly Client[];
  readonly memberIds: ReadonlySet<string>;
  readonly crowd: Crowd;
  readonly stack: LocalStack;
  readonly evidence: Evidence;
}

async function measureMessage(
  setting: MessageSetting,
  sequence: number,
  kind: ClientKind,
): Promise<MessageRound> {
  const { members, evidence } = setting;
  const senders = members.filter((member) => member.kind === kind);
  const sender = senders[sequence % senders.length] as Client;
  const others = members.filter((member) => member !== sender);
  const text = `rooms bench ${setting.runId} ${sequence} ${kind}`;
  const crowdBefore = (await setting.crowd.status()).framesReceived;
  const framesBefore = new Map(members.map((member) => [member, member.frames.length]));
  clearRecords(evidence);

  const sentAt = performance.now();
  sender.socket.send(
    JSON.stringify({
      message: text,
      senderName: 'bench',
      ...(kind === 'v3' && { clientId: `rooms-${setting.runId}-${sequence}` }),
    }),
  );
  const copiesAt = (member: Client): number[] =>
    member.frames
      .slice(framesBefore.get(member))
      .filter((frame) => jsonFields(frame.text).message === text)
      .map((frame) => frame.at);
  await waitFor(
    () => evidence.broadcasts.length > 0 && others.every((member) => copiesAt(member).length > 0),
    ROUND_TIMEOUT_MS,
  );
  await sleep(SETTLE_MS);
  const copies = others.map(copiesAt);
  const cost = messageCost({
    posts: evidence.posts,
    calls: evidence.calls,
    logged: evidence.broadcasts.find((line) => line.room === setting.room)?.counts,
    members: setting.memberIds,
    connectionsTable: setting.stack.tableName,
    roomIndex: contract.table.roomIndex,
  });
  return {
    ...cost,
    client: kind,
    membersReached: copies.filter((times) => times.length > 0).length,
    duplicates: sum(copies.map((times) => Math.max(0, times.length - 1))),
    crowdFrames: (await setting.crowd.status()).framesReceived - crowdBefore,
    lastDeliveryMs: Math.max(...copies.flat()) - sentAt,
  };
}

/**
 * The room read as a design without the index would: a Scan of the whole table with the room as
 * a filter, page after page, through the same recorder as the function's reads.
 */
async function scanBaseline(
  recorderUrl: string,
  stack: LocalStack,
  room: string,
  evidence: Evidence,
): Promise<ScanBaseline> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(recorderUrl, stack.region));
  const { partitionKey, roomAttribute, ttlAttribute } = contract.table;
  const scans: DynamoCall[][] = [];
  try {
    for (let scan = 0; scan < SCANS; scan++) {
      clearRecords(evidence);
      const pages = paginateScan(
        { client },
        {
          TableName: stack.tableName,
          ProjectionExpression: '#id',
          FilterExpression: '#room = :room AND #expiresAt > :now',
          ExpressionAttributeNames: {
            '#id': partitionKey,
            '#room': roomAttribute,
            '#expiresAt': ttlAttribute,
          },
          ExpressionAttributeValues: { ':room': room, ':now': toEpochSeconds(new Date()) },
        },
      );
      for await (const _page of pages) {
        // The recorder counts each page's request; the items themselves are not needed.
      }
      scans.push(evidence.calls.filter((call) => call.operation === 'Scan'));
    }
  } finally {
    client.destroy();
  }
  const last = scans.at(-1) ?? [];
  return {
    pages: last.length,
    itemsRead: sum(last.map((call) => call.scannedCount)),
    found: sum(last.map((call) => call.count)),
    readUnits: sum(last.map((call) => call.readUnits)),
    readMs: median(scans.map((calls) => sum(calls.map((call) => call.durationMs)))),
  };
}

/** Where the history's room is, and what records its reads. */
interface HistorySetting {
  readonly url: string;
  readonly stack: LocalStack;
  readonly evidence: Evidence;
}

async function measureHistory(
  setting: HistorySetting,
  options: BenchOptions,
  signal: AbortSignal,
  progress: Progress,
): Promise<HistoryRun> {
  const count = contract.limits.historyMaxMessages;
  const length = contract.limits.maxMessageLength;
  progress.log(
    `Rooms: history of ${count} messages of ${length} three-byte characters, ${options.roomsRounds} joins after a warm-up`,
  );
  const clients = await openClients(setting.url, 1 + Math.ceil(count / MESSAGES_PER_SENDER));
  const [listener, ...senders] = clients;
  try {
    const sent = await sendHistory(listener as Client, senders, count, length);
    const join = (): Promise<HistoryJoin> => joinAndReadHistory(setting, sent);
    const warmUp = await join();
    const joins: HistoryJoin[] = [];
    for (let round = 0; round < options.roomsRounds && !signal.aborted; round++) {
      joins.push(await join());
    }
    return {
      messages: count,
      messageLength: length,
      maxFrameBytes: contract.apiGateway.maxMessageBytes,
      warmUp,
      joins,
    };
  } finally {
    await closeClients(clients);
  }
}

/**
 * Sends the history's messages one after the other, each once the previous one reached the
 * listener (so it was kept first), from senders taking turns so no rate limit refuses one.
 */
async function sendHistory(
  listener: Client,
  senders: readonly Client[],
  count: number,
  length: number,
): Promise<SentMessage[]> {
  const sent: SentMessage[] = [];
  // The longest name, in characters of the most bytes, and the longer kind of avatar hash.
  const senderName = worstCaseText(0, contract.limits.maxSenderNameLength);
  const senderGravatar = 'f'.repeat(64);
  for (let sequence = 0; sequence < count; sequence++) {
    const text = worstCaseText(sequence, length);
    const sender = senders[sequence % senders.length] as Client;
    const from = listener.frames.length;
    sender.socket.send(JSON.stringify({ message: text, senderName, senderGravatar }));
    const event = await waitFor(
      () => listener.frames.slice(from).find((frame) => jsonFields(frame.text).message === text),
      ROUND_TIMEOUT_MS,
    );
    if (event === undefined) throw new Error(`history message ${sequence} never reached the room`);
    sent.push({ id: String(jsonFields(event.text).id), text });
  }
  return sent;
}

async function joinAndReadHistory(
  setting: HistorySetting,
  sent: readonly SentMessage[],
): Promise<HistoryJoin> {
  const client = (await openClients(setting.url, 1))[0] as Client;
  try {
    clearRecords(setting.evidence);
    const requestedAt = performance.now();
    client.socket.send(JSON.stringify({ action: 'history' }));
    const historyFrames = (): { text: string; at: number }[] =>
      client.frames.filter((frame) => jsonFields(frame.text).type === 'history');
    await waitFor(() => {
      const last = historyFrames().at(-1);
      if (last === undefined) return false;
      const { part, parts } = jsonFields(last.text);
      return part === parts;
    }, ROUND_TIMEOUT_MS);
    const frames = historyFrames();
    await waitFor(() => setting.evidence.histories.length > 0, ROUND_TIMEOUT_MS);
    const reads = setting.evidence.calls.filter(
      (call) => call.table === setting.stack.roomsTableName && call.operation === 'Query',
    );
    // dynalite's read units count text by UTF-16 code units: too few for three-byte text. The
    // items it returned are the items it read when the filter left none out, so size those.
    const everyItemReturned = reads.every((call) => call.count === call.scannedCount);
    const bytesRead = everyItemReturned ? sum(reads.map((call) => call.returnedBytes)) : Number.NaN;
    return {
      ...checkHistory(
        frames.map((frame) => frame.text),
        sent,
        contract.apiGateway.maxMessageBytes,
      ),
      receiveMs: (frames.at(-1)?.at ?? Number.NaN) - requestedAt,
      queries: reads.length,
      itemsRead: sum(reads.map((call) => call.scannedCount)),
      bytesRead,
      // One Query per page: each page is billed on its own, rounded up to 4 KB.
      readUnits: everyItemReturned
        ? sum(reads.map((call) => eventuallyConsistentReadUnits(call.returnedBytes)))
        : Number.NaN,
      logged: setting.evidence.histories[0],
    };
  } finally {
    client.socket.close();
  }
}

/** Forgets what the recorders and the log collected, before the next measurement. */
function clearRecords(evidence: Evidence): void {
  for (const records of [evidence.calls, evidence.posts, evidence.broadcasts, evidence.histories]) {
    records.length = 0;
  }
}
