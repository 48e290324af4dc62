/**
 * TransactWriteItems for the local DynamoDB. dynalite has no transactions, and the function
 * commits a message (its history slot and its idempotency record) in one. This module answers
 * them in front of dynalite, with DynamoDB's all-or-nothing outcome:
 *
 * - a transaction runs alone: requests that arrive meanwhile wait, and it waits for those already
 *   inside dynalite (a readers-writer gate; other requests never wait for each other);
 * - its writes go to dynalite one by one, each with its own condition; when a condition fails,
 *   the writes already made are undone from the images read before, and the caller gets
 *   `TransactionCanceledException` with one cancellation reason per item, as DynamoDB sends it;
 * - the consumed capacity, when asked for, is twice the units of the single writes, as DynamoDB
 *   charges a transactional write.
 *
 * Put, Update and Delete items are supported; ConditionCheck, which the function never sends, is
 * refused with a ValidationException naming this stand-in.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AttributeValue, ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

const TARGET = 'DynamoDB_20120810.TransactWriteItems';
/** DynamoDB's limit on the items of one transaction. */
const MAX_ITEMS = 100;

type Item = Record<string, AttributeValue>;

/** One write of a transaction, as the JSON protocol carries it. */
interface TransactItem {
  readonly Put?: Record<string, unknown> & { TableName: string; Item: Item };
  readonly Update?: Record<string, unknown> & { TableName: string; Key: Item };
  readonly Delete?: Record<string, unknown> & { TableName: string; Key: Item };
  readonly ConditionCheck?: unknown;
}

/** A write ready to run, with the image of its item before it. */
interface PlannedWrite {
  readonly kind: 'Put' | 'Update' | 'Delete';
  readonly table: string;
  readonly key: Item;
  readonly request: Record<string, unknown>;
  readonly returnOldOnFailure: boolean;
  before: Item | undefined;
}

/** A failure that becomes DynamoDB's error answer. */
class DynamoDbFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Lets many requests through at once, or one transaction alone: a transaction waits for the
 * requests already inside, and requests that come while one waits or runs wait for it.
 */
class ReadersWriterGate {
  #inside = 0;
  #drained: (() => void) | undefined;
  #transactions = 0;
  #queue: Promise<void> = Promise.resolve();

  async enter(): Promise<void> {
    while (this.#transactions > 0) await this.#queue;
    this.#inside++;
  }

  leave(): void {
    this.#inside--;
    if (this.#inside === 0) this.#drained?.();
  }

  async alone<T>(work: () => Promise<T>): Promise<T> {
    this.#transactions++;
    const previous = this.#queue;
    let done = (): void => {};
    this.#queue = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    await previous;
    if (this.#inside > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#drained = undefined;
    try {
      return await work();
    } finally {
      this.#transactions--;
      done();
    }
  }
}

/**
 * Answers TransactWriteItems on a dynalite server, and makes every other request pass the gate.
 * @param server - dynalite's HTTP server (its request listeners are wrapped)
 * @param client - a client of that same server, for the single writes a transaction is made of
 */
export function answerTransactions(server: Server, client: DynamoDBClient): void {
  const gate = new ReadersWriterGate();
  // The single writes of a transaction come back through this server: they pass the gate.
  const token = randomBytes(16).toString('hex');
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers['x-local-transaction'] = token;
      return next(args);
    },
    { step: 'build', name: 'localTransactionToken' },
  );
  const keys = new KeySchemas(client);
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const pass = (): void => {
      for (const handler of handlers) handler(request, response);
    };
    if (request.headers['x-local-transaction'] === token) return pass();
    if (request.headers['x-amz-target'] === TARGET) {
      void answerTransaction(request, response, gate, client, keys);
      return;
    }
    void gate.enter().then(() => {
      response.once('close', () => gate.leave());
      pass();
    });
  });
}

async function answerTransaction(
  request: IncomingMessage,
  response: ServerResponse,
  gate: ReadersWriterGate,
  client: DynamoDBClient,
  keys: KeySchemas,
): Promise<void> {
  try {
    const body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
    const writes = await plan(body.TransactItems, keys);
    const units = await gate.alone(() => runAllOrNothing(writes, client));
    const capacity =
      body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES'
        ? [...units].map(([TableName, single]) => ({
            TableName,
            CapacityUnits: 2 * single,
            WriteCapacityUnits: 2 * single,
          }))
        : undefined;
    send(response, 200, capacity === undefined ? {} : { ConsumedCapacity: capacity });
  } catch (error) {
    const fault =
      error instanceof DynamoDbFault
        ? error
        : new DynamoDbFault('InternalServerError', 'The local transaction failed', 500);
    send(response, fault.status, {
      __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`,
      message: fault.message,
      ...fault.extra,
    });
  }
}

/** Validates the items and finds each one's key. */
async function plan(items: unknown, keys: KeySchemas): Promise<PlannedWrite[]> {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    throw new DynamoDbFault(
      'ValidationException',
      `TransactItems must hold 1 to ${MAX_ITEMS} items`,
    );
  }
  const writes: PlannedWrite[] = [];
  const seen = new Set<string>();
  for (const item of items as TransactItem[]) {
    if (item.ConditionCheck !== undefined) {
      throw new DynamoDbFault(
        'ValidationException',
        'ConditionCheck is not supported by the local DynamoDB',
      );
    }
    const kind = item.Put !== undefined ? 'Put' : item.Update !== undefined ? 'Update' : 'Delete';
    const request = item.Put ?? item.Update ?? item.Delete;
    if (request === undefined) throw new DynamoDbFault('ValidationException', 'An item is empty');
    const table = request.TableName;
    const schema = await keys.of(table);
    const source = 'Item' in request ? (request.Item as Item) : (request.Key as Item);
    const key = Object.fromEntries(schema.map((name) => [name, source[name] as AttributeValue]));
    const identity = `${table}\u0000${JSON.stringify(schema.map((name) => key[name]))}`;
    if (seen.has(identity)) {
      throw new DynamoDbFault(
        'ValidationException',
        'Transaction request cannot include multiple operations on one item',
      );
    }
    seen.add(identity);
    const { ReturnValuesOnConditionCheckFailure, ...rest } = request;
    writes.push({
      kind,
      table,
      key,
      request: rest,
      returnOldOnFailure: ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
      before: undefined,
    });
  }
  return writes;
}

/**
 * Runs the writes in order; on the first refused condition undoes those made and cancels.
 * @returns the write units each table's single writes consumed
 */
async function runAllOrNothing(
  writes: readonly PlannedWrite[],
  client: DynamoDBClient,
): Promise<Map<string, number>> {
  for (const write of writes) {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: write.table, Key: write.key, ConsistentRead: true }),
    );
    write.before = Item;
  }
  const units = new Map<string, number>();
  const made: PlannedWrite[] = [];
  for (const [index, write] of writes.entries()) {
    let consumed: ConsumedCapacity | undefined;
    try {
      consumed = await runOne(write, client);
    } catch (error) {
      await undo(made, client);
      throw cancellation(writes, index, error);
    }
    made.push(write);
    units.set(write.table, (units.get(write.table) ?? 0) + (consumed?.CapacityUnits ?? 1));
  }
  return units;
}

async function runOne(
  write: PlannedWrite,
  client: DynamoDBClient,
): Promise<ConsumedCapacity | undefined> {
  const input = { ...write.request, ReturnConsumedCapacity: 'TOTAL' } as never;
  const command =
    write.kind === 'Put'
      ? new PutItemCommand(input)
      : write.kind === 'Update'
        ? new UpdateItemCommand(input)
        : new DeleteItemCommand(input);
  const { ConsumedCapacity } = await client.send(command as PutItemCommand);
  return ConsumedCapacity;
}

/** Puts back the images read before, newest write first. */
async function undo(made: readonly PlannedWrite[], client: DynamoDBClient): Promise<void> {
  for (const write of [...made].reverse()) {
    if (write.before === undefined) {
      await client.send(new DeleteItemCommand({ TableName: write.table, Key: write.key }));
    } else {
      await client.send(new PutItemCommand({ TableName: write.table, Item: write.before }));
    }
  }
}

/** DynamoDB's answer to a transaction one of whose writes was refused. */
function cancellation(writes: readonly PlannedWrite[], failed: number, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'InternalServerError';
  if (name !== 'ConditionalCheckFailedException') {
    const status =
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500;
    return new DynamoDbFault(name, error instanceof Error ? error.message : name, status);
  }
  const reasons = writes.map((write, index) =>
    index === failed
      ? {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(write.returnOldOnFailure && write.before !== undefined && { Item: write.before }),
        }
      : { Code: 'None' },
  );
  return new DynamoDbFault(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
      .map((reason) => reason.Code)
      .join(', ')}]`,
    400,
    { CancellationReasons: reasons },
  );
}

/** The key attribute names of each table, read once. */
class KeySchemas {
  readonly #client: DynamoDBClient;
  readonly #known = new Map<string, Promise<string[]>>();

  constructor(client: DynamoDBClient) {
    this.#client = client;
  }

  of(table: string): Promise<string[]> {
    let schema = this.#known.get(table);
    if (schema === undefined) {
      schema = this.#client
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => (Table?.KeySchema ?? []).map((key) => String(key.AttributeName)))
        .catch(() => {
          this.#known.delete(table);
          throw new DynamoDbFault('ResourceNotFoundException', 'Requested resource not found');
        });
      this.#known.set(table, schema);
    }
    return schema;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomBytes(26).toString('hex').toUpperCase(),
  });
  response.end(text);
}
