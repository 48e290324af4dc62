/**
 * What the rooms benchmark's recorders saw, read as figures: which DynamoDB requests the function
 * made (and how many items each read), which posts it made to `@connections`, and, for one
 * message, what that message cost. Pure: exchanges and log lines in, counts out.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { sum } from '../common/report.ts';
import { jsonFields } from '../load/chat-event.ts';
import type { Exchange } from './recording-proxy.ts';

/** One DynamoDB request, as it went to DynamoDB and came back. */
export interface DynamoCall {
  /** e.g. `Query`, `Scan`, `PutItem`, `UpdateItem`, `TransactWriteItems`. */
  readonly operation: string;
  /** The table it names (a transaction's or a batch's first). */
  readonly table: string;
  readonly index: string | undefined;
  /** Items read, before any filter (Query and Scan; 0 for the others). */
  readonly scannedCount: number;
  /** Items returned, after the filter (Query and Scan; 0 for the others). */
  readonly count: number;
  /**
   * Read units of a read (Query, Scan, GetItem, BatchGetItem) as dynalite reports them; 0 for a
   * write. dynalite sizes a string by its UTF-16 code units where DynamoDB counts UTF-8 bytes:
   * exact for ASCII items such as the connections table's, too low for text beyond ASCII.
   */
  readonly readUnits: number;
  /** Write units of a write as reported (a transaction's: twice its writes'); 0 for a read. */
  readonly writeUnits: number;
  /** The items returned, sized as DynamoDB sizes items (see {@link dynamoItemBytes}). */
  readonly returnedBytes: number;
  readonly durationMs: number;
}

/** Reads that return items, with ScannedCount and Count. */
const QUERIES = new Set(['Query', 'Scan']);
const READ_OPERATIONS = new Set([...QUERIES, 'GetItem', 'BatchGetItem', 'TransactGetItems']);

/**
 * The request rewrite the DynamoDB recorder applies: a request on a table that does not ask for
 * its consumed capacity is made to ask (`ReturnConsumedCapacity: TOTAL`), so the answer reports
 * the read or write units it cost. The flag only adds a field to the answer: the same items are
 * read, written and returned. Anything else goes on unchanged.
 * @param headers - the request's headers (`x-amz-target` names the operation)
 * @param body - the request's JSON body
 * @returns the rewritten body, or undefined to forward it as it came
 */
export function askForConsumedCapacity(
  headers: IncomingHttpHeaders,
  body: Buffer,
): Buffer | undefined {
  if (operationOf(headers) === '') return undefined;
  const request = jsonFields(body.toString('utf8'));
  if (tableOf(request) === undefined || request.ReturnConsumedCapacity !== undefined) {
    return undefined;
  }
  return Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'TOTAL' }));
}

/**
 * The table a request names: its `TableName`, or a transaction's or a batch's first table (the
 * function's transactions and batches each touch one table, or the two of one message).
 */
function tableOf(request: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof request.TableName === 'string') return request.TableName;
  if (Array.isArray(request.TransactItems)) {
    const [first] = request.TransactItems as Record<string, { TableName?: unknown }>[];
    const table = Object.values(first ?? {})[0]?.TableName;
    return typeof table === 'string' ? table : undefined;
  }
  const batch = request.RequestItems;
  return typeof batch === 'object' && batch !== null ? Object.keys(batch)[0] : undefined;
}

/**
 * Reads a DynamoDB exchange.
 * @param exchange - one request to DynamoDB's endpoint and its answer
 * @returns the call, or undefined for anything that is not a successful DynamoDB request
 */
export function dynamoCallOf(exchange: Exchange): DynamoCall | undefined {
  const operation = operationOf(exchange.headers);
  const request = jsonFields(exchange.requestBody.toString('utf8'));
  const table = tableOf(request);
  if (operation === '' || table === undefined || exchange.status !== 200) return undefined;
  const answer = jsonFields(exchange.responseBody.toString('utf8'));
  // One capacity for a single request, a list (one per table) for a batch or a transaction.
  const capacities = [answer.ConsumedCapacity ?? []].flat() as { CapacityUnits?: unknown }[];
  const units = sum(capacities.map((capacity) => Number(capacity.CapacityUnits ?? 0)));
  const reads = READ_OPERATIONS.has(operation);
  const returned: Readonly<Record<string, unknown>> = QUERIES.has(operation) ? answer : {};
  return {
    operation,
    table,
    index: typeof request.IndexName === 'string' ? request.IndexName : undefined,
    scannedCount: Number(returned.ScannedCount ?? 0),
    count: Number(returned.Count ?? 0),
    readUnits: reads ? units : 0,
    writeUnits: reads ? 0 : units,
    returnedBytes: Array.isArray(returned.Items)
      ? sum(returned.Items.map((item: Record<string, unknown>) => dynamoItemBytes(item)))
      : 0,
    durationMs: exchange.durationMs,
  };
}

/**
 * The size DynamoDB gives an item, in its wire format (`{"name": {"S": "…"}}`): for every
 * attribute, the UTF-8 bytes of its name plus those of its value. A string counts its UTF-8
 * bytes; a number one byte per two significant digits, plus one; a binary its bytes; a boolean or
 * null one byte; a set its elements; a list or map three bytes plus its elements (and a map's
 * names). https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * @param item - an item as DynamoDB's JSON protocol carries it
 * @returns its size in bytes
 */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  return sum(
    Object.entries(item).map(([name, value]) => Buffer.byteLength(name) + valueBytes(value)),
  );
}

/**
 * Read units of an eventually consistent read (a Query of an index always is one, and the
 * function asks for no strongly consistent read): half a unit per 4 KB read, the bytes of all
 * items read rounded up to 4 KB.
 * @param bytes - the summed size of the items read
 * @returns the read units
 */
export function eventuallyConsistentReadUnits(bytes: number): number {
  return Math.ceil(bytes / 4096) / 2;
}

function valueBytes(value: unknown): number {
  const [type, content] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(content));
    case 'N':
      return numberBytes(String(content));
    case 'B':
      return Buffer.from(String(content), 'base64').length;
    case 'SS':
    case 'NS':
    case 'BS':
      return sum(
        (content as unknown[]).map((element) => valueBytes({ [type[0] as string]: element })),
      );
    case 'L':
      return 3 + sum((content as unknown[]).map(valueBytes));
    case 'M':
      return 3 + dynamoItemBytes(content as Record<string, unknown>);
    default:
      return 1; // BOOL, NULL
  }
}

function numberBytes(number: string): number {
  const digits = number.replace(/^[-+]/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/**
 * Reads a `@connections` exchange.
 * @param exchange - one request to the management API and its answer
 * @returns the connection posted to, or undefined for anything but a POST to a connection
 */
export function postedTo(exchange: Exchange): string | undefined {
  const match = /\/@connections\/([^/?]+)$/.exec(exchange.path.split('?')[0] ?? '');
  if (exchange.method !== 'POST' || match?.[1] === undefined) return undefined;
  return decodeURIComponent(match[1]);
}

/** The counts the function's log line gives for one broadcast. */
export interface BroadcastLogCounts {
  /** Live members it read (the sender included). */
  readonly listed: number;
  /** Pages of the room it read (Query calls). */
  readonly pages: number;
  readonly delivered: number;
  /** Recipients handed to other invocations. */
  readonly handedOff: number;
}

/**
 * Reads the function's log line for a broadcast.
 * @param line - one line the function printed
 * @param room - the room the broadcast was for
 * @returns its counts, or undefined when the line is not that room's broadcast line
 */
export function broadcastLogCounts(line: string, room: string): BroadcastLogCounts | undefined {
  const fields = jsonFields(line);
  if (fields.outcome !== 'broadcast' || fields.room !== room) return undefined;
  return {
    listed: Number(fields.listed),
    pages: Number(fields.pages),
    delivered: Number(fields.delivered),
    handedOff: Number(fields.handedOff ?? 0),
  };
}

/** What the function's log line says of a history request. */
export interface HistoryLogCounts {
  /** `history`, or why there was none (`history_failed`, `rate_limited`). */
  readonly outcome: string;
  readonly frames: number;
  readonly framesDelivered: number;
}

/**
 * Reads the function's log line for a history request (or its refusal).
 * @param line - one line the function printed
 * @returns its outcome and frame counts, or undefined for any other line
 */
export function historyLogCounts(line: string): HistoryLogCounts | undefined {
  const fields = jsonFields(line);
  const outcomes = ['history', 'history_failed', 'rate_limited'];
  if (fields.route !== '$default' || !outcomes.includes(String(fields.outcome))) return undefined;
  return {
    outcome: String(fields.outcome),
    frames: Number(fields.frames ?? 0),
    framesDelivered: Number(fields.framesDelivered ?? 0),
  };
}

/**
 * Reads the function's log line for an accepted `$connect`.
 * @param line - one line the function printed
 * @returns the connection and its room, or undefined for any other line
 */
export function connectedTo(line: string): { connectionId: string; room: string } | undefined {
  const fields = jsonFields(line);
  if (fields.route !== '$connect' || fields.outcome !== 'connected') return undefined;
  if (typeof fields.connectionId !== 'string' || typeof fields.room !== 'string') return undefined;
  return { connectionId: fields.connectionId, room: fields.room };
}

/** What one message to a room cost, from the recorders and the function's own log line. */
export interface MessageCost {
  readonly posts: number;
  /** Posts to connections that are not members of the room. */
  readonly postsOutsideRoom: number;
  /** Query requests on the connections table's room index: pages of the room read. */
  readonly roomQueries: number;
  /** Scan requests on the connections table. */
  readonly scans: number;
  /** Items those Queries and Scans read. */
  readonly itemsRead: number;
  readonly readUnits: number;
  /** Time DynamoDB took to answer those reads, summed. */
  readonly readMs: number;
  /** Every DynamoDB request the message caused, by operation. */
  readonly requests: Readonly<Record<string, number>>;
  /** The units of all those requests: what the message costs in DynamoDB. */
  readonly requestReadUnits: number;
  readonly requestWriteUnits: number;
  /** The function's own counts; undefined when its log line never came. */
  readonly logged: BroadcastLogCounts | undefined;
}

/** What {@link messageCost} reads. */
export interface MessageEvidence {
  /** The connection ids posted to. */
  readonly posts: readonly string[];
  readonly calls: readonly DynamoCall[];
  readonly logged: BroadcastLogCounts | undefined;
  /** Connection ids of the room's members. */
  readonly members: ReadonlySet<string>;
  readonly connectionsTable: string;
  readonly roomIndex: string;
}

/**
 * The cost of one message from what was recorded while it was under way.
 * @param evidence - the posts, DynamoDB calls and log counts of the message, and the room
 * @returns its cost
 */
export function messageCost(evidence: MessageEvidence): MessageCost {
  const onConnections = evidence.calls.filter((call) => call.table === evidence.connectionsTable);
  const roomQueries = onConnections.filter(
    (call) => call.operation === 'Query' && call.index === evidence.roomIndex,
  );
  const scans = onConnections.filter((call) => call.operation === 'Scan');
  const reads = [...roomQueries, ...scans];
  const requests: Record<string, number> = {};
  for (const call of evidence.calls) requests[call.operation] = (requests[call.operation] ?? 0) + 1;
  return {
    posts: evidence.posts.length,
    postsOutsideRoom: evidence.posts.filter((id) => !evidence.members.has(id)).length,
    roomQueries: roomQueries.length,
    scans: scans.length,
    itemsRead: sum(reads.map((call) => call.scannedCount)),
    readUnits: sum(reads.map((call) => call.readUnits)),
    readMs: sum(reads.map((call) => call.durationMs)),
    requests,
    requestReadUnits: sum(evidence.calls.map((call) => call.readUnits)),
    requestWriteUnits: sum(evidence.calls.map((call) => call.writeUnits)),
    logged: evidence.logged,
  };
}

function operationOf(headers: IncomingHttpHeaders): string {
  const target = headers['x-amz-target'];
  return typeof target === 'string' ? (target.split('.')[1] ?? '') : '';
}
