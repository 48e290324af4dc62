/**
 * DynamoDB failures for tests (`stack.faults.failDynamoDb`), and the small front that injects
 * them: the local DynamoDB's endpoint is the front, which answers the next calls of an operation
 * with DynamoDB's 500 `InternalServerError` and hands every other request to dynalite in this
 * process, unchanged. dynalite itself is not changed. A fault strikes whichever client calls the
 * operation next, so a test arms it just before the step that makes the function call it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../listen.ts';
import { urlHost } from '../network.ts';
import { type InjectedFault, requirePositive } from './injected-fault.ts';

/** The DynamoDB operations, by the name in their `X-Amz-Target` header. */
export type DynamoDbOperation =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems'
  | 'TransactGetItems';

/** What `failDynamoDb` takes. */
export interface FailDynamoDbOptions {
  /** The operation whose calls fail. */
  readonly operation: DynamoDbOperation;
  /** How many of its next calls fail (each SDK retry is a call). */
  readonly count: number;
}

/** One armed fault. */
class DynamoDbFaultRule implements InjectedFault {
  readonly operation: DynamoDbOperation;
  readonly #count: number;
  #injected = 0;

  constructor(options: FailDynamoDbOptions) {
    // Checked at run time too: a test written in JavaScript could pass anything.
    if (typeof options.operation !== 'string' || (options.operation as string) === '') {
      throw new RangeError('failDynamoDb: operation must name a DynamoDB operation, e.g. Query');
    }
    requirePositive('failDynamoDb: count', options.count);
    if (options.count === undefined) throw new RangeError('failDynamoDb: count is required');
    this.operation = options.operation;
    this.#count = options.count;
  }

  get injected(): number {
    return this.#injected;
  }

  get spent(): boolean {
    return this.#injected >= this.#count;
  }

  strike(): void {
    this.#injected++;
  }
}

/** The armed DynamoDB faults of one stack. */
export class DynamoDbFaults {
  #rules: DynamoDbFaultRule[] = [];

  /**
   * Arms a fault: the next `count` calls of `operation` answer 500.
   * @returns the fault, counting the calls it failed
   * @throws RangeError without an operation or a positive whole count
   */
  add(options: FailDynamoDbOptions): InjectedFault {
    const rule = new DynamoDbFaultRule(options);
    this.#rules.push(rule);
    return rule;
  }

  /** Whether this call of `operation` fails, counting it against the first fault that covers it. */
  fails(operation: string): boolean {
    const rule = this.#rules.find((candidate) => candidate.operation === operation);
    if (rule === undefined) return false;
    rule.strike();
    if (rule.spent) this.#rules = this.#rules.filter((candidate) => candidate !== rule);
    return true;
  }

  /** Disarms every DynamoDB fault. */
  clear(): void {
    this.#rules = [];
  }
}

/** A running front. */
export interface DynamoDbFront {
  /** The local DynamoDB's endpoint, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Where the front listens, what it guards and where it hands requests on. */
export interface DynamoDbFrontOptions {
  /** Loopback, as the local DynamoDB: nothing here checks a signature. */
  readonly host: string;
  /** 0 = a free port; `npm start` passes `--dynamo-port`. */
  readonly port: number;
  readonly faults: DynamoDbFaults;
  /** Answers a request as the local DynamoDB does (in this process, with no second hop). */
  readonly answer: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * Starts the front.
 * @param options - host, port, faults and the local DynamoDB's request handler
 * @returns the running front
 * @throws PortInUseError when the port is taken
 */
export async function startDynamoDbFront(options: DynamoDbFrontOptions): Promise<DynamoDbFront> {
  const server = createServer((request, response) => {
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? (target.split('.')[1] ?? '') : '';
    if (operation !== '' && options.faults.fails(operation)) {
      request.resume();
      sendInternalServerError(response);
      return;
    }
    options.answer(request, response);
  });
  // The function's SDK keeps its connections alive between invocations, as on Lambda.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.host, options.port, '--dynamo-port');
  return {
    endpoint: `http://${urlHost(options.host)}:${port}`,
    stop: () => closeServer(server),
  };
}

/** DynamoDB's answer when it fails on its side, which the SDK raises as InternalServerError. */
function sendInternalServerError(response: ServerResponse): void {
  const body = JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  });
  response
    .writeHead(500, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
    })
    .end(body);
}
